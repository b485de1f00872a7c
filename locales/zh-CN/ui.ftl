# 桌面程序的界面文字（由界面使用 @fluent/bundle 格式化）。

app-title = Banyan 客户管理
app-loading = 正在打开…
app-closing = 正在停止当前任务后再关闭：进行中的导入会整批撤回。窗口稍后自动关闭。
app-updating-book = 正在将客户库升级到新版本（已先保存快照）：{ $done } / { $total } 条历史记录
app-reindexing = 正在为新版本重建搜索索引：{ $done } / { $total } 位客户
app-book-updated = 客户库已升级到新版本。升级前的快照保存在 { $path }。
app-book-updated-ok = 知道了
nav-label = 主菜单
nav-customers = 客户
nav-orders = 订单
nav-products = 商品
nav-settings = 设置
lang-en-US = English
lang-zh-CN = 简体中文

common-hidden = 已隐藏
common-save = 保存
common-cancel = 取消
common-close = 关闭
common-edit = 编辑
common-delete = 删除
common-remove = 移除

## 客户

customers-search-placeholder = 搜索姓名、拼音、电话、邮箱、公司…
customers-search-label = 搜索客户
customers-new = 新建客户
customers-filter-all-kinds = 全部类型
customers-sort = 排序
customers-sort-name = 按名称
customers-sort-updated = 最近修改
customers-sort-created = 最新添加
customers-total = 共 { $shown } 位客户
customers-results =
    { $count ->
        [0] 没有匹配的客户
       *[other] 找到 { $shown } 位客户
    }
customers-list-label = 客户列表
customers-empty-title = 还没有客户
customers-empty-hint = 添加第一位客户，或导入表格。
customers-no-results-title = 没有找到
customers-no-results-hint = 试试输入姓名的一部分、拼音或首字母、电话号码的后几位，或邮箱。
customers-pick-one = 选择一位客户以查看详情。
search-tier-exact = 完全一致
search-tier-prefix = 名称
search-tier-pinyin = 拼音
search-tier-substring = 包含
search-tier-fuzzy = 相近
search-field-name = 名称
search-field-company = 公司
search-field-contacts = 联系人
search-field-emails = 邮箱
search-field-phones = 电话
search-field-city = 城市
search-field-tags = 标签
search-field-notes = 备注

## 客户详情

record-created = 添加于 { $date }
record-new-order = 新建订单
record-contacts = 联系人
record-add-contact = 添加联系人
record-no-contacts = 暂无联系人。
record-orders = 订单
record-no-orders = 暂无订单。
record-activities = 跟进记录
record-add-activity = 添加
record-activity-placeholder = 记录跟进内容（通话要点、拜访小结…）
record-no-activities = 暂无记录。
record-delete-title = 删除“{ $name }”？
record-delete-body = 该客户将不再出现在列表和搜索中。订单会保留，历史记录中仍可查到此客户。
activity-call = 电话
activity-visit = 拜访
activity-email = 邮件
activity-note = 备注

## 客户表单

form-new-title = 新建客户
form-edit-title = 编辑客户
form-company-name = 公司名称
form-phone-placeholder = 例如 138 1234 5678 或 +44 20 7946 0958
form-add-phone = + 添加电话
form-add-email = + 添加邮箱
form-tags-placeholder = 多个标签用逗号分隔
form-duplicate-owned-by = 一位由 { $owner } 负责的客户
form-duplicate-elsewhere = 一位不在您客户范围内的客户
form-owner-placeholder = 默认是您自己
form-duplicate-warning = 已有 { $count } 位客户使用相同的电话或邮箱：
form-unsaved-title = 放弃修改？
form-unsaved-body = 此客户有尚未保存的修改。
form-discard = 放弃修改

## 订单

orders-title = 订单
orders-new = 新建订单
orders-all-statuses = 全部状态
orders-from = 从
orders-to = 至
orders-col-number = 订单号
orders-col-customer = 客户
orders-col-status = 状态
orders-col-created = 创建日期
orders-col-total = 合计
orders-empty-title = 没有订单
orders-empty-hint = 新建的订单会显示在这里。调整筛选条件可查看其他订单。
orders-pick-one = 选择一个订单，或新建订单。
orders-summary-hidden = 共 { $count } 个订单（您的角色看不到金额）
orders-summary-totals = 共 { $count } 个订单：{ $totals }{ $excluded ->
        [0] {""}
       *[other] （未计入草稿和已取消订单 { $excluded } 个）
    }
orders-showing = 仅列出最新的 { $shown } 个（共 { $count } 个），请缩小筛选范围查看其余订单。
order-new-title = 新建订单
order-title = 订单 { $number }
order-customer-placeholder = 按姓名、拼音或电话查找客户…
order-pick-customer = 请为此订单选择客户。
order-change-customer = 更换
order-lines = 订单明细
order-col-product = 商品
order-col-price = 单价
order-col-amount = 金额
order-pick-product = 选择商品…
order-add-line = + 添加一行
order-subtotal = 小计
order-discount = 折扣
order-tax = 税额
order-total = 合计
order-tax-note = 按 { $rates } 计税，以折后金额为基数；每行金额四舍五入到分。
order-create = 创建草稿
order-save = 保存草稿
order-action-confirmed = 确认订单
order-action-fulfilled = 标记为已发货
order-action-paid = 标记为已付款
order-action-cancelled = 取消订单

## 商品

products-title = 商品
products-new = 新建商品
products-show-inactive = 显示已停售
products-active = 在售
products-inactive = 已停售
products-empty = 暂无商品。

## 首次使用与解锁

firstrun-title = 欢迎使用 Banyan
firstrun-intro = 客户数据加密保存在本机。请选择密钥的保护方式。
firstrun-key-title = 数据保护方式
firstrun-keyring = 本机系统钥匙串
firstrun-keyring-hint = 登录本机后自动打开。
firstrun-passphrase = 密码
firstrun-passphrase-hint = 每次打开 Banyan 时输入。遗失密码将无法恢复数据。
firstrun-passphrase-label = 密码
firstrun-confirm-label = 再次输入密码
firstrun-passphrase-mismatch = 两次输入的密码不一致。
firstrun-demo = 添加演示客户、商品和订单，方便试用
firstrun-create = 创建客户数据库
firstrun-creating = 正在创建…
unlock-title = 解锁客户数据库
unlock-intro = 此客户数据库受密码保护。
unlock-keyring-missing = 本机的系统钥匙串中没有此数据库的密钥。如设置过密码，请输入密码。
unlock-submit = 解锁

## 设置

settings-title = 设置
settings-language = 语言
settings-book = 客户数据库
settings-saved = 已保存。
settings-security = 安全
settings-db-path = 数据库文件
settings-key-mode = 密钥保护方式

## 导入、导出与查重

nav-data = 导入导出
data-title = 导入、导出与查重
data-tab-import = 导入
data-tab-export = 导出
data-tab-duplicates = 查重合并
data-tab-history = 导入记录
import-file-types = 客户资料文件
import-path-placeholder = CSV、Excel、WPS、ODS、JSON、XML 或 vCard 文件的路径
import-browse = 浏览…
import-read = 读取文件
import-format = 格式：{ $format }
import-encoding = 编码：{ $encoding }
import-delimiter = 分隔符：{ $delimiter }
import-delimiter-tab = 制表符
import-header-row = 列名在第 { $row } 行
import-sheet = 工作表
import-on-duplicate = 客户已存在时
import-dup-skip = 跳过
import-dup-update = 只补全空白字段
import-dup-overwrite = 用文件中的值覆盖
import-dup-create = 仍然新建
import-mode = 有问题的行
import-mode-valid = 导入其余行，单独列出这些行
import-mode-all = 全部不导入（要么全导，要么不导）
import-saved-mappings = 已保存的字段对应
import-saved-pick = 选用已保存的方案…
import-saved-none = 尚未保存
import-save-mapping = 将当前对应保存为
import-save-mapping-placeholder = 例如：展会名单
import-mapping-saved = 已保存字段对应“{ $name }”。
import-preview-summary = 已检查前 { $scanned } 行：{ $problems } 行有问题，{ $duplicates } 行客户已存在。
import-problems-only = 只看有问题的行
import-run = 开始导入
import-running = 正在导入… { $percent }%
export-running = 正在导出… { $percent }%
undo-running = 正在撤销导入… { $percent }%
import-duplicate = 已存在
import-duplicate-of = 客户已存在：{ $name }
import-done = 导入完成
import-done-rolled-back = 未导入任何数据
import-tally = 共 { $read } 行：新建 { $created }，更新 { $updated }，跳过 { $skipped }，未导入 { $failed }
import-rejects-file = 有问题的行已另存到 { $path }，并附有说明要修改之处的列。修改后可直接导入该文件。
import-undo = 撤销本次导入
import-undone = 已撤销：删除客户 { $removed } 位，恢复字段 { $restored } 个；另有 { $kept } 个字段在导入后被修改过，已保留。
import-target-ignore = — 不导入 —
import-target-name = 名称
import-target-familyName = 姓
import-target-givenName = 名
import-target-kind = 类型（个人/公司）
import-target-company = 公司
import-target-phone = 电话
import-target-email = 邮箱
import-target-address = 地址
import-target-city = 城市
import-target-country = 国家/地区
import-target-tags = 标签
import-target-owner = 负责人
import-target-source = 来源
import-target-notes = 备注
import-target-id = Banyan 编号
import-target-contact = 联系人
import-target-title = 职务
import-target-mobile = 手机
import-target-street = 街道（地址的一部分）
import-target-district = 区县（地址的一部分）
import-target-state = 省份（地址的一部分）
import-target-postcode = 邮编（地址的一部分）
import-target-noteLine = 保存在备注中（“列名：值”）
import-target-custom = 自定义：{ $label }
export-format = 格式
export-format-xlsx = Excel 工作簿（.xlsx）
export-format-csvExcel = 适用于 Excel 的 CSV（UTF-8，带 BOM）
export-format-csv = CSV（UTF-8）
export-format-csvGbk = CSV（GBK，适用于旧版 Excel/WPS）
export-format-csvGb18030 = CSV（GB18030，包含所有字符，可按 GBK 读取）
export-more-warnings = ……另有 { $count } 行情况相同。
export-format-json = JSON
export-format-xml = XML
export-format-vcard = vCard 4.0（.vcf）
export-scope = 导出范围
export-scope-placeholder = 全部客户；或输入搜索词，只导出搜到的客户
export-path = 保存到
export-clear-text = 导出的文件未加密，任何拿到文件的人都能读取。请妥善保管，用完及时删除。
export-run = 导出
export-done = 已导出 { $count } 位客户到 { $path }。
duplicates-refresh = 重新查找
duplicates-count = 有 { $count } 对客户可能重复
duplicates-score = 相似度
duplicates-customer = 客户
duplicates-why = 原因
duplicates-merge = 合并…
duplicates-none = 没有发现疑似重复的客户。
duplicates-merged = 已合并到 { $name }。
merge-title = 合并两位客户
merge-help = 请为每个字段选择要保留的值。电话、邮箱和标签默认合并两边的内容，除非您指定其中一边。
merge-field = 字段
merge-keep = 保留
merge-moves = 第二位客户的联系人、跟进记录和订单将移到第一位名下，随后删除第二位客户。合并操作会记入历史。
merge-run = 合并
history-when = 开始时间
history-file = 文件
history-status = 状态
history-counts = 结果
history-empty = 尚无导入记录。

## 登录和锁定。

signin-title = 登录 Banyan
signin-intro = 请用您的 Banyan 登录名登录。
signin-idle = Banyan 在一段时间未使用后已自动锁定。请重新登录以继续。
signin-login = 登录名
signin-password = 密码
signin-code = 验证码
signin-code-hint = 验证器应用中的 6 位验证码，或您的一个恢复码。
signin-submit = 登录
firstadmin-title = 创建第一位管理员
firstadmin-intro = 这个客户库还没有用户。每个人都要登录 Banyan；第一位用户负责管理其他用户，必须是管理员。
firstadmin-name = 姓名
firstadmin-confirm = 再次输入密码
firstadmin-mismatch = 两次输入的密码不一致。
firstadmin-password-hint = 至少 10 个字符，且不能是最常见的密码之一。
firstadmin-submit = 创建管理员并登录
app-lock = 锁定
app-signed-in-as = 已登录：{ $name }
settings-idle-lock = 在 Banyan 窗口中 { $minutes } 分钟无操作后自动锁定；也可从菜单（锁定）立即锁定。
users-title = 用户
users-add = 添加用户
users-added = 已添加 { $name }，对方使用您设置的密码登录。
users-first-password = 初始密码（至少 10 个字符）
users-status = 状态
users-active = 正常
users-disabled = 已停用
users-mfa = 验证器
users-disable = 停用
users-enable = 启用
users-unlock = 解除锁定
users-disabled-note = { $name } 已无法登录。
users-enabled-note = { $name } 可以重新登录。
users-unlocked-note = 已解除 { $name } 在本电脑上的登录锁定。
record-history = 变更历史
record-show-history = 查看历史
changes-when = 时间
changes-who = 操作人
changes-what = 内容
changes-change = 变更
changes-deleted = { $value }（已删除）
changes-other-desktop = 在电脑 { $device }
changes-more = 显示最新的 { $shown } 处变更，共 { $count } 处；`banyan history` 可列出全部。
changes-entity-customer = 客户
changes-entity-contact = 联系人
changes-entity-activity = 跟进记录
changes-entity-order = 订单
changes-entity-order-line = 订单行
