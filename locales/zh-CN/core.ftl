# 核心层显示的文字：错误、字段名、状态。命令行和桌面程序共用。

-brand-name = Banyan

## 字段名，用于指出错误出在哪个字段。

field-kind = 类型
field-pairing = 配对码
field-peer = 桌面地址
field-db = 客户库
field-passphrase = 密码
field-key-mode = 客户库密钥
field-to = 回退到
field-user = 用户
field-device = 桌面
field-sync = 服务内容
entity-desktop = 桌面
field-name = 名称
field-keep = 保留的值
field-company = 公司
field-phones = 电话
field-emails = 邮箱
field-address = 地址
field-city = 城市
field-country = 国家/地区
field-tags = 标签
field-owner = 负责人
field-source = 来源
field-notes = 备注
field-custom = 自定义字段
field-title = 职务
field-text = 内容
field-occurred-at = 日期
field-sku = 商品编码
field-price = 单价
field-currency = 币种
field-tax-rate = 税率
field-lines = 明细行
field-quantity = 数量
field-discount = 折扣
field-customer-id = 客户
field-status = 状态
field-line_set = 订单明细
field-key = 键名
field-label = 显示名称
field-choices = 可选值
field-id = ID

## 校验错误，显示在对应字段名之后。

error-required = 此项为必填项。
error-too-long = 内容过长：最多 { $max } 个字符。
error-control-chars = 含有不可见的控制字符。
error-bidi-chars = 含有会颠倒或重排文字显示顺序的字符（双向覆盖字符）；请删除。
error-bad-id = “{ $value }”不是有效的 ID。
error-customer-kind = “{ $value }”不是客户类型，请填写“person”（个人）或“company”（公司）。
error-phone = “{ $value }”不是有效的电话号码（未带国家区号的号码按 { $region } 解析）。
error-email = “{ $value }”不是有效的邮箱地址。
error-date = “{ $value }”不是有效日期，请使用 YYYY-MM-DD 格式。
error-number = “{ $value }”不是数字。
error-choice = “{ $value }”不在可选值中：{ $choices }。
error-custom-unknown = 没有名为“{ $key }”的自定义字段。
error-custom-kind = “{ $value }”不是字段类型，请使用 text、number、date 或 choice。
error-custom-key = “{ $value }”不是有效的键名：只能用小写字母、数字和下划线，并以字母开头。
error-custom-key-taken = 自定义字段“{ $key }”已存在。
error-currency = “{ $value }”不是 ISO 4217 币种代码（如 CNY、USD、EUR）。
error-amount = “{ $value }”不是有效的 { $currency } 金额。
error-amount-decimals = “{ $value }”小数位过多：{ $currency } 最多 { $digits } 位小数。
error-negative = “{ $value }”为负数，金额不能小于零。
error-too-large = “{ $value }”数值过大。
error-percent = “{ $value }”不是 0 到 100 之间的百分比（最多两位小数）。
error-sku-format = “{ $value }”不是有效的商品编码：不能包含空格。
error-sku-taken = 已有其他商品使用编码“{ $sku }”。
error-sku-unknown = 没有编码为“{ $sku }”的商品。
error-product-inactive = 商品“{ $sku }”已停售。
error-quantity = “{ $value }”不是有效数量，请填写大于零的整数。
error-currency-mismatch = 商品“{ $sku }”以 { $currency } 定价，而本订单使用 { $expected }。
error-order-no-lines = 订单至少需要一行明细。
error-line-spec = “{ $value }”格式不对，请写成 编码:数量 或 编码:数量:折扣。
error-order-status = “{ $value }”不是订单状态。
error-order-transition = 订单不能从“{ $from }”变为“{ $to }”。可以变为：{ $allowed }。
error-customer-unknown = 没有 ID 为 { $id } 的客户。
error-contact-needs-company = 只能为公司客户添加联系人。
error-activity-kind = “{ $value }”不是跟进类型，请使用 call（电话）、visit（拜访）、email（邮件）或 note（备注）。
error-region = “{ $value }”不是地区代码（如 CN、US、DE）。
error-language = 不支持语言“{ $value }”（可选 en-US、zh-CN）。
error-password-short = 密码至少需要 { $min } 个字符。
error-password-common = 这个密码太容易被猜到：它是最常见的密码之一，或由您的登录名或姓名组成。请换一个。

## 与数据库及其密钥有关的错误。

error-not-found = 未找到{ $entity } { $id }。
error-wrong-passphrase = 密码错误。数据库未打开，未做任何更改。
error-wrong-key = 该密钥无法打开此数据库。文件未被更改。
error-passphrase-required = 此数据库受密码保护。请设置 BANYAN_PASSPHRASE 环境变量，或使用 --passphrase-stdin。
error-key-missing = 本机的系统钥匙串中没有此数据库的密钥。请恢复密钥，或打开受密码保护的备份。
error-keyring-unavailable = 系统钥匙串不可用（{ $detail }）。请改用密码：设置 BANYAN_PASSPHRASE。
error-db-truncated = 数据库文件 { $path } 不完整（已被截断）。请从备份恢复。
error-db-corrupt = 数据库已损坏（{ $detail }）。请从备份恢复。
error-db-newer = 此数据库由更新版本的 { -brand-name } 创建（数据结构版本 { $found }，本版本最高支持 { $supported }）。请升级 { -brand-name } 后再打开。文件未被更改。
error-db-missing = { $path } 处没有数据库。请先运行“banyan init”创建。
error-db-exists = { $path } 处已有数据库。
error-key-file = 无法读取密钥文件 { $path }（{ $detail }）。
error-migration-failed = 数据库升级在第 { $version } 步失败（{ $detail }）。未做任何更改；升级前的副本保存在 { $snapshot }。
error-disk-full = 磁盘已满，未保存任何内容。请释放空间后重试。
error-storage = 数据库报告错误：{ $detail }
error-io = 无法读写文件：{ $detail }

## 核心层显示的词语。

status-draft = 草稿
status-confirmed = 已确认
status-fulfilled = 已发货
status-paid = 已付款
status-cancelled = 已取消
kind-person = 个人
kind-company = 公司
entity-customer = 客户
entity-contact = 联系人
entity-activity = 跟进记录
entity-product = 商品
entity-order = 订单
entity-order-line = 订单明细
entity-custom-field = 自定义字段
entity-record = 记录
entity-setting = 设置

field-error = { $field }：{ $message }
field-phone-region = 电话默认地区
error-order-not-editable = 只有草稿订单可以修改明细（此订单状态为 { $status }）。
error-not-open = 客户数据库尚未打开。

## 导入、导出、查重与合并。

entity-batch = 导入批次
entity-mapping = 已保存的字段对应
field-file = 文件
field-out = 导出文件
field-rejects = 未导入行文件
field-row = 行
field-mapping = 字段对应
field-mapping-name = 对应方案名称
error-import-too-large = 文件超过 { $max } MB。请拆分文件，或另存为 CSV（CSV 没有大小限制）。
error-import-field-too-large = 第 { $row } 行“{ $column }”列：单元格内容超过 { $max } KB，未导入任何数据。
error-import-empty = 文件中没有可导入的行。
error-import-csv = 文件第 { $row } 行无法按 CSV 读取：{ $detail }
error-import-csv-quote = 第 { $row } 行第 { $column } 列：有一个引号开始的内容始终没有结束（超过 { $max } KB 或一直到文件末尾）。请检查该行是否有多余的 "，改正后重新保存。未导入任何数据。
error-import-too-many-columns = 第 { $row } 行超过 { $max } 列。请删除空白或不需要的列，或拆分文件。未导入任何数据。
error-import-too-many-cells = 该文件铺开后超过 { $max } 个单元格，远超任何客户名单，已拒绝打开。如果数据确实如此，请另存为 CSV（CSV 按行读取）。
error-import-workbook-counts = 该工作簿声称其文本表（{ $bytes } 字节）中有 { $claimed } 条文本：文件已损坏或被刻意构造，已拒绝打开。
error-edited-meanwhile = 在您编辑期间，此项已被他人修改（现为“{ $value }”）。请重新打开该客户查看改动后再编辑。
error-import-not-workbook = 该文件不是 Banyan 能读取的工作簿（文件可能已损坏，或并非表格文件）。
error-import-zip-bomb = 该工作簿解压后的数据量远超任何正常表格，已拒绝打开。
error-import-workbook = 无法读取工作簿：{ $detail }
error-import-sheet = 找不到工作表“{ $sheet }”。此工作簿包含：{ $sheets }。
error-import-json = JSON 文件第 { $line } 行格式有误：{ $detail }
error-import-json-shape = JSON 文件应为记录列表（由对象组成的数组）。
error-import-json-record = JSON 文件中的第 { $row } 条记录不是带字段的对象。
error-import-xml = XML 文件第 { $line } 行无法读取：{ $detail }
error-import-xml-entities = 该 XML 文件声明或使用了自定义实体。为防范针对解析器的攻击，Banyan 不展开此类实体，请去掉 DTD 后重新导出。
error-import-vcard = vCard 文件中的第 { $row } 张名片不完整。
error-import-mapping-column = 字段对应中使用了“{ $column }”列，但此文件中没有这一列。
error-import-mapping-name = 请至少将一列对应到“名称”或“公司”。
error-import-row = 此行无法导入：{ $detail }
error-merge-same = 不能将客户与其自身合并。
error-cancelled = 已取消，未做任何更改。
import-row-issue = 第 { $row } 行，{ $column }：{ $message }
import-rejects-column = 问题说明
demo-batch-name = 演示数据
import-column-kept-in-notes = 列“{ $column }”不是客户字段：已作为“{ $column }：…”保存在备注中。
import-column-ignored = 列“{ $column }”未导入（映射中已设为不导入）。
import-status-running = 未完成
import-status-done = 已完成
import-status-cancelled = 已取消
import-status-failed = 失败
import-status-undone = 已撤销
import-status-undoing = 部分撤销（再次撤销即可完成）
import-status-interrupted = 已中断（已撤回）
error-import-still-running = 此导入仍在进行中。请先取消或等待其结束，再撤销。
error-import-already-undone = 此导入已被撤回，无需再撤销。
duplicate-reason-same-phone = 电话相同
duplicate-reason-same-email = 邮箱相同
duplicate-reason-same-name = 姓名相同
duplicate-reason-similar-name = 姓名相近
duplicate-reason-same-company = 公司相同
duplicate-reason-same-address = 地址相同
duplicate-reason-same-city = 城市相同
error-import-bad-encoding = 含有无法按文件编码识别的字节；请将文件另存为 UTF-8 后重试。
error-path-is-book = “{ $path }”是客户库本身或其附属文件；请选择其他文件。
export-cut-marker = …[另有 { $chars } 个字符被截去；CSV 和 JSON 导出保留全文]
export-warning-cut = 第 { $row } 行（{ $name }），{ $column }：超出 Excel 单元格长度，截去了 { $chars } 个字符。CSV 和 JSON 导出保留全文。
export-warning-not-in-gbk = 第 { $row } 行（{ $name }），{ $column }：含有 GBK 没有的字符，已写为 &#…; 代码。请导出为 CSV（GB18030）以保留这些字符。
error-passphrase-short = 密码至少需要 { $min } 个字符。
error-import-reader-failed = 文件在第 { $row } 行处无法读取（该部分已损坏）。未导入任何内容。

## 登录、用户和角色。

error-sign-in-failed = 登录名、密码或验证码错误。
error-locked = 登录失败次数过多：此账户在这台电脑上已锁定，到 { $until } 解锁。管理员可以提前解锁。
error-mfa-required = 此账户还需要验证器应用中的 6 位验证码（或一个恢复码）。
error-mfa-replayed = 这个验证码已经用过了。请等待验证器应用显示下一个验证码。
error-clock-off = 这个验证码对应的时间相差 { $minutes } 分钟：这台电脑（或手机）的时钟不准。请校准时钟后重试。
error-user-disabled = 此账户已停用。请联系管理员启用。
error-mfa-setup-required = 你的角色要求使用验证器应用。请先完成绑定：banyan mfa enroll（或登录桌面应用，按提示操作）。
error-mfa-keep-required = 你的角色要求使用验证器应用，因此不能移除你的验证器。如手机丢失，管理员可以为你重置。
error-no-users = 这个客户库还没有用户。请先创建第一位管理员：banyan user add 登录名 --name 姓名 --role admin（密码取自 BANYAN_NEW_PASSWORD 或标准输入）。
error-sign-in-needed = 请先登录：设置 BANYAN_USER 和 BANYAN_PASSWORD（账户使用验证器应用时还需 BANYAN_TOTP）。
error-forbidden = 您无权{ $what }。
error-export-cap = 此次导出共 { $count } 个客户，您的角色一次最多可导出 { $cap } 个。请先缩小搜索范围。
error-field-not-allowed = 您的角色不能修改{ $field }；未作任何保存。
error-not-allowed = 您无权{ $action }{ $entity }。
grant-action-read = 查看
grant-action-create = 新建
grant-action-update = 修改
grant-action-delete = 删除
grant-action-import = 导入
grant-action-export = 导出
grant-action-merge = 合并
grant-entity-customer = 客户
grant-entity-contact = 联系人
grant-entity-activity = 跟进记录
grant-entity-product = 商品
grant-entity-order = 订单
grant-entity-settings = 设置
grant-entity-users = 用户
grant-entity-audit = 审计记录
grant-entity-privacy = 隐私记录
error-login = 登录名为 1 到 64 个字母、数字、点、短横线、下划线或 @，不能有空格。
error-login-taken = 已有使用此登录名的用户。
error-role-unknown = “{ $value }”不是本客户库的角色（{ $roles }）。
error-role-field-unknown = 角色规则不能指定“{ $value }”：可设规则的字段为 { $fields }。
error-shared-desktop = 这是一台共用电脑：只有用户登录时才能打开客户库（命令行请设置 BANYAN_USER 和 BANYAN_PASSWORD）。客户库密码、系统钥匙串或服务令牌都无法打开它。
error-sharing-unfinished = 本机在设为共用电脑的过程中 Banyan 已停止，客户库尚未重新加密：一切未变。请照旧打开客户库（客户库密码或本机钥匙串），再重新设为共用电脑。
error-role-taken = 已有名为“{ $value }”的角色。
error-role-name = 角色名由 1–40 个小写字母、数字、“-”或“_”组成，并以字母开头。
error-role-built-in = “{ $value }”是内置角色，不能修改；可用 `role add 名称 --from { $value }` 复制为新角色。
error-grant-beyond-own = 您不能授予超出自己角色范围的权限。
error-owner-unknown = 本客户库没有用户“{ $value }”：请填写用户的登录名或姓名。
error-owner-out-of-reach = “{ $value }”不在您的客户范围内：客户只能交给您自己，或在角色允许时交给本团队的同事。
error-owner-required = 请选择负责人：没有负责人的客户不在您的客户范围内。
error-import-match-out-of-reach = 此行与一位您无权修改的客户相同，未导入。
error-first-user-admin = 客户库的第一位用户必须是管理员（admin）。
error-last-admin = 这是最后一位在用的管理员：请先让另一位用户成为管理员。
error-mfa-not-pending = 请先开始绑定（banyan mfa enroll），再用验证码确认。
error-mfa-code = 这不是验证器应用当前显示的验证码。请检查应用和时钟后重试。
forbidden-manage-users = 管理用户
forbidden-other-password = 修改其他用户的密码
entity-user = 用户
entity-role = 角色
field-login = 登录名
field-roles = 角色
field-team = 团队
field-password = 密码
field-code = 验证码
error-revert-change = “{ $value }”不是一处变更：请按 `banyan history` 列出的 电脑:编号 格式填写。
error-revert-desktop = 本客户库中没有（或不止一台）电脑的编号以“{ $value }”开头。
entity-change = 变更
entity-conflict = 同步冲突
error-history-altered = 审计记录显示历史已被改动（{ $count } 条链不完好）。
error-peer-altered = 已拒绝来自桌面 { $device } 的更改：其中一项与该桌面的审计记录不符（被改动或伪造），全部未保存。
error-peer-ahead-of-us = 已拒绝来自桌面 { $device } 的更改：它持有本桌面自己都没有的本桌面更改。此客户库是从备份恢复或复制而来，同步前须先换用新的身份。
error-peer-two-contents = 已拒绝来自桌面 { $device } 的更改：其中一项更改两次到达且内容不同，全部未保存。
error-pairing-failed = 配对失败：配对码错误或已过期，或连接的不是显示该配对码的桌面。请重新获取配对码。
error-pairing-code = 配对码为 6 位数字，以邀请桌面显示的为准。
error-invite-expired = 5 分钟内没有人输入配对码，邀请已结束。
error-sync-no-peer = 本网络上没有本账簿的桌面或中心应答，本桌面也还没有与任何桌面同步过：请填写一个桌面的地址（主机:端口）。
error-invite-cancelled = 邀请已取消。
error-invite-paused = 10 分钟内有三次输入的配对码错误，可能有人在尝试猜测。邀请将暂停 { $minutes } 分钟。
error-sync-removed = 本桌面已被移出客户库，不再与其桌面同步。
error-sync-network = 无法连接另一台桌面，或连接中断：{ $detail }
error-sync-peer-refused = 另一台桌面拒绝了：{ $reason }
error-sync-address = “{ $value }”不是可同步的地址：请按另一台桌面显示的 主机:端口 填写。
error-sync-update-peer = 请更新 { $desktop } 上的 Banyan：其版本过旧，无法与本桌面同步。
error-sync-update-here = 请更新本桌面的 Banyan：{ $desktop } 的版本较新，无法与本桌面同步。
error-sync-other-book = { $desktop } 上是另一个客户库。
error-sync-stale-copy = { $desktop } 持有的本桌面更改比此客户库还多：此客户库是副本，或是在 Banyan 之外恢复的。请先为它换一个新身份（同步 → 新身份，或 `banyan sync new-identity`），再同步：它之后的更改会同步回来。
error-sync-diverged-copy = { $desktop } 以本桌面的身份持有另外的更改：此客户库是复制来的，而它和原来的桌面都在使用。请为这一台换一个新身份（同步 → 新身份，或 `banyan sync new-identity`），再同步：这里做的更改会保留并以新身份发出，另一台桌面的更改也会同步进来。
error-sync-clocks = 本桌面与 { $desktop } 的时钟相差 { $minutes } 分钟：请先校准两边的时间再同步。
error-device-id = 不是有效的桌面标识。
error-signing-key = 不是有效的桌面签名密钥。
error-revoke-self = 桌面不能移除自己；请在另一台桌面上移除它。
error-serve-what = 请说明要提供的服务：--sync。
error-peer-malformed = 已拒绝来自桌面 { $device } 的更改：格式有误，全部未保存。
error-peer-forged = 已拒绝来自桌面 { $device } 的更改：其中一项没有其所称桌面的签名（被伪造或在途中被改动），全部未保存。
error-peer-not-member = 已拒绝来自桌面 { $device } 的更改：该桌面不是此客户库的成员，全部未保存。
error-conflict-keep = 请保留此冲突中的一个值：{ $values }。
error-conflict-duplicate = 有两条记录都是 { $value }：修改其中一条即可解决。
error-checkpoints-file = 无法读取检查点文件 { $path }：{ $detail }
consent-given = 已同意
consent-withdrawn = 已撤回
error-consent-purpose = “{ $value }”不是有效的目的：请使用 marketing、service、analytics、transfer 或自定义词（小写字母、数字和连字符，最多 40 个字符）。
error-consent-channel = “{ $value }”不是有效的同意方式；请使用 { $channels } 之一。
error-consent-notice = 告知书版本过长（最多 40 个字符）。
error-consent-at = “{ $value }”不是已过去的日期（YYYY-MM-DD，可加 HH:MM）。
error-erasure-reason = 请说明删除此人的原因（所响应的请求）：原因会与删除记录一同保存。
privacy-notice =
    个人信息保护告知书（版本 { $version }）
    为向您提供服务，我们保存您的姓名、联系方式、沟通记录和订单。这些信息加密存储在我们员工的电脑和公司服务器上，未经您单独同意，不会向境外或第三方提供。您可以随时要求查阅、更正我们保存的您的全部信息，撤回同意，或要求删除；我们将在 15 个工作日内答复。请联系我们的个人信息保护负责人。
error-not-service-account = { $value } 是个人账户，不是服务账户：只有服务账户才有令牌。
error-service-account-password = 服务账户没有密码：它用令牌登录（用 banyan user token 登录名 生成新令牌）。

## 备份与恢复
error-backup-wrong-passphrase = 备份密码错误：无法打开此备份的密钥。
error-backup-wrong-recovery-key = 此恢复密钥不是该备份密钥所封装的那一个。
error-backup-recovery-key = 恢复密钥无效（应为 64 位十六进制字符，或 `banyan backup recovery-key new` 生成的文件）。
error-backup-key-needed = 此备份使用的是另一个密钥：请提供它的备份密码（BANYAN_BACKUP_PASSPHRASE）或公司的恢复密钥（--recovery-key）。
error-backup-no-passphrase-wrap = 此备份的密钥没有用备份密码封装：请使用公司的恢复密钥（--recovery-key）。
error-backup-no-recovery-wrap = 此备份的密钥没有封装给恢复密钥：请使用它的备份密码。
error-backup-no-wrap = 未进行备份：请先设置备份密码（`banyan backup passphrase`）或公司的恢复密钥，这样离开这台桌面也能打开备份。
error-backup-passphrase-stale = 未进行备份：设置备份密码之后客户库的密钥已更换。请重新设置备份密码。
error-backup-other-book = 此备份属于另一个客户库，而不是这里打开的客户库。未做任何更改。
error-backup-missing = 备份 { $file } 不存在。
error-backup-no-manifest = 备份 { $file } 旁边没有清单文件，因此无法检查或恢复。
error-backup-manifest-altered = 备份清单已被篡改（签名不符）：该备份不可信。
error-backup-truncated = 备份文件不完整：比清单所记录的短。
error-backup-damaged = 备份文件已损坏：内容与清单中的哈希值不符。
error-backup-unsound = 备份未通过完整检查：{ $detail }
error-backup-newer-format = 此备份由更新版本的 Banyan 创建。请先更新 Banyan。
error-backup-target-missing = 备份文件夹 { $folder } 不可用（驱动器已拔出或共享离线）。请连接它，或选择其他文件夹。
error-backup-target-full = 备份文件夹 { $folder } 已满。请释放空间，或选择其他文件夹。
error-backup-target-failed = 写入备份文件夹 { $folder } 失败：{ $detail }
error-backup-target-readback = 写入 { $folder } 的备份读回后不一致，已删除。该驱动器或共享可能有故障。
error-backup-book-disk-full = 客户库所在磁盘空间不足：需要 { $need } MB，可用 { $free } MB。
error-backup-none = 备份文件夹中没有找到此客户库的备份。
error-backup-nothing-to-undo = 没有可撤销的恢复。
error-rewind-time = “{ $value }”不是可回退到的时间：请输入日期和时间，例如 2026-12-07 14:59。
error-policy-file = 此文件中有 { $count } 项策略将被忽略（见上文）。
error-policy-managed = 由您的组织管理：策略 { $policy } 设定了此项。
error-policy-turned-off = 已被您的组织关闭（策略 { $policy }）。
#   $policy (String) - 策略名称
#   $path (String) - 策略指定的文件夹
error-policy-folder-relative = 您组织的策略 { $policy } 指定了文件夹 { $path }，但它不是绝对路径。Banyan 不会把客户库放到其他位置：请联系 IT 部门更正此策略。
#   $policy (String) - 策略名称
#   $path (String) - 策略指定的文件夹
error-policy-folder-network = 您组织的策略 { $policy } 指定了文件夹 { $path }，但它位于网络驱动器上，客户库可能因此损坏。Banyan 不会把客户库放到其他位置：请联系 IT 部门更正此策略。
#   $policy (String) - 策略名称
#   $path (String) - 策略指定的文件夹
error-policy-folder-unwritable = 您组织的策略 { $policy } 指定了文件夹 { $path }，但该文件夹无法创建或写入。Banyan 不会把客户库放到其他位置：请联系 IT 部门更正此策略。
#   $policy (String) - 策略名称
#   $path (String) - 策略指定的文件夹
#   $named (String) - 所要求的客户库（--db、BANYAN_DB）
error-policy-folder-elsewhere = 您组织的策略 { $policy } 规定客户库存放在 { $path }；{ $named } 不在该文件夹中，因此 Banyan 不会打开它。
#   $policy (String) - 策略名称
#   $path (String) - 程序旁的数据文件夹
error-policy-portable-off = 此 Banyan 为便携版（所有内容保存在 { $path }），而您组织的策略 { $policy } 关闭了便携模式。请改用已安装的 Banyan，或联系 IT 部门。
#   $policy (String) - 策略名称
error-policy-key-passphrase = 您的组织要求本机的客户库使用密码（策略 { $policy }）：密钥不能保存在钥匙串中。请设置密码。
#   $policy (String) - 策略名称
error-policy-key-keyring = 您的组织要求本机新建的客户库将密钥保存在钥匙串中（策略 { $policy }）。
error-portable-key-passphrase = 便携版 Banyan 用密码保护客户库的密钥：本机的钥匙串不会随程序带走。请设置密码。
#   $policy (String) - 策略名称
error-policy-passphrase-to-set = 您的组织现在要求此客户库使用密码（策略 { $policy }），而它的密钥保存在本机的钥匙串中。请设置密码（命令行使用 BANYAN_PASSPHRASE）：密钥由密码保护后客户库即可打开，钥匙串中将不再保存它。
error-portable-passphrase-to-set = 此便携版 Banyan 的客户库把密钥保存在某台电脑的钥匙串中，而钥匙串不会随程序带走。请设置密码（命令行使用 BANYAN_PASSPHRASE）：密钥由密码保护后客户库即可打开。
error-rewind-user = 没有名为“{ $value }”的用户：请输入登录名或全名。
error-restore-confirm = 恢复会替换整个客户库：请加上 --yes 再次运行（或用 --dry-run 查看将会发生什么）。
error-book-in-use = 客户库正在另一个 Banyan 窗口或命令中打开。请先关闭后重试。未做任何更改。
error-backup-keep-nothing = 不能一个备份都不保留：至少保留一天、一周或一个月。

## 健康状况
health-no-backup = 此客户库从未在这台桌面上备份过。
health-backup-old = 上次备份已是 { $hours } 小时前。
health-backup-missing = 上次的备份已不在备份文件夹中，或已损坏。
health-check-failed = 上次完整性检查发现客户库有问题：请恢复最近一次通过校验的备份。
health-book-disk-low = 客户库所在磁盘的可用空间小于客户库本身：无法在此进行备份。
error-backup-max-age = 警告时间至少为一小时。
error-backup-schedule = “{ $value }”不是有效的时间：请使用 HH:MM 格式，例如 12:30。
health-backup-failing = 自动备份失败：{ $error }
