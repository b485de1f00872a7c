# 核心层显示的文字：错误、字段名、状态。命令行和桌面程序共用。

-brand-name = Banyan

## 字段名，用于指出错误出在哪个字段。

field-kind = 类型
field-name = 名称
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
error-no-users = 这个客户库还没有用户。请先创建第一位管理员：banyan user add 登录名 --name 姓名 --role admin（密码取自 BANYAN_NEW_PASSWORD 或标准输入）。
error-sign-in-needed = 请先登录：设置 BANYAN_USER 和 BANYAN_PASSWORD（账户使用验证器应用时还需 BANYAN_TOTP）。
error-forbidden = 您无权{ $what }。
error-login = 登录名为 1 到 64 个字母、数字、点、短横线、下划线或 @，不能有空格。
error-login-taken = 已有使用此登录名的用户。
error-role-unknown = “{ $value }”不是角色（admin、manager、sales、support）。
error-first-user-admin = 客户库的第一位用户必须是管理员（admin）。
error-last-admin = 这是最后一位在用的管理员：请先让另一位用户成为管理员。
error-mfa-not-pending = 请先开始绑定（banyan mfa enroll），再用验证码确认。
error-mfa-code = 这不是验证器应用当前显示的验证码。请检查应用和时钟后重试。
forbidden-manage-users = 管理用户
forbidden-other-password = 修改其他用户的密码
entity-user = 用户
field-login = 登录名
field-roles = 角色
field-team = 团队
field-password = 密码
field-code = 验证码
