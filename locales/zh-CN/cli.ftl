# `banyan` 命令行工具的文字。

cli-error = 错误：{ $message }
cli-init-done = 已在 { $path } 创建加密数据库。
cli-key-in-keyring = 数据库密钥保存在本机的系统钥匙串中。
cli-key-in-passphrase = 数据库密钥由您的密码保护。请妥善保管密码：一旦遗失，数据将无法恢复。
cli-stdin-empty = 标准输入中没有提供密码。
cli-customer-added = 已添加客户 { $name }（{ $id }）。
cli-customer-updated = 已更新客户 { $name }。
cli-customer-deleted = 已删除客户 { $id }。在所有电脑完成同步之前，其数据以删除标记的形式保留。
cli-customer-count = 共 { $count } 位客户
cli-customer-deleted-mark = （已删除）
cli-contact-added = 已添加联系人 { $name }。
cli-activity-added = 已将跟进记录加入时间线。
cli-field-added = 已添加自定义字段“{ $key }”。
cli-product-saved = 已保存商品 { $sku }。
cli-product-inactive = 已停售
cli-product-count = 共 { $count } 个商品
cli-order-created = 已创建草稿订单 { $number }。
cli-order-status-changed = 订单 { $number } 现为“{ $status }”。
cli-order-count = 共 { $count } 个订单
cli-col-id = ID
cli-col-number = 订单号
cli-col-customer = 客户
cli-col-status = 状态
cli-col-total = 合计
cli-col-sku = 商品编码
cli-col-product = 商品
cli-col-qty = 数量
cli-col-price = 单价
cli-col-discount = 折扣
cli-col-tax = 税率
cli-col-amount = 金额
cli-col-created = 创建时间
cli-label-contacts = 联系人
cli-label-activities = 跟进记录
cli-label-orders = 订单
cli-label-subtotal = 小计
cli-label-discount = 折扣
cli-label-net = 折后金额
cli-label-tax = 税额
cli-label-total = 合计
cli-demo-done = 已添加演示数据：{ $customers } 位客户、{ $products } 个商品、{ $orders } 个订单、{ $contacts } 位联系人、{ $activities } 条跟进记录。
cli-rekey-done = 数据库密钥已更换。
cli-rewrap-done = 密钥已改用新的保护方式；数据本身未重写。
cli-new-passphrase-missing = 请通过 BANYAN_NEW_PASSPHRASE 环境变量或标准输入的第二行提供新密码。
cli-space-total = 数据库文件共 { $mb } MB（其中空闲页 { $free } MB）。各表与索引、MB、占比、条目数：
cli-check-ok = 数据库完好：所有页面均能解密并通过校验，结构完整。
cli-check-problems = 检查发现 { $count } 个问题：
cli-settings = 电话默认地区：{ $region }　币种：{ $currency }
cli-settings-saved = 设置已保存。
cli-col-match = 匹配
cli-match-exact = 名称完全一致
cli-match-prefix = 名称开头
cli-match-pinyin = 拼音
cli-match-substring = 包含
cli-match-fuzzy = 相近
cli-match-field-name = 名称
cli-match-field-company = 公司
cli-match-field-contacts = 联系人
cli-match-field-emails = 邮箱
cli-match-field-phones = 电话
cli-match-field-city = 城市
cli-match-field-tags = 标签
cli-match-field-notes = 备注
cli-reindex-progress = 正在建立索引：{ $done } / { $total } 位客户
cli-migrate-progress = 正在将客户库升级到此版本（已先保存快照）：{ $done } / { $total } 条历史记录
cli-reindex-done = 搜索索引已重建：共 { $count } 位客户。

## 导入、导出、查重

cli-export-format = “{ $value }”不是可用的导出格式；请使用 csv、csv-excel、csv-gbk、csv-gb18030、xlsx、json、xml 或 vcf。
cli-mapping-file = 字段对应文件格式不正确：{ $detail }
cli-export-done = 已导出 { $count } 位客户到 { $path }。该文件未加密，请妥善保管。
cli-export-more-warnings = ……另有 { $count } 行情况相同。
cli-import-tally = 共读取 { $read } 行：新建 { $created } 位，更新 { $updated } 位，跳过重复 { $skipped } 位，未导入 { $failed } 行。
cli-import-tally-rolled-back = 未写入任何数据。共读取 { $read } 行：将新建 { $created } 位，更新 { $updated } 位，跳过重复 { $skipped } 位，未导入 { $failed } 行。
cli-import-rejects = 有问题的行已保存到 { $path }，并附有说明要修改之处的列；修改后可直接导入该文件。
cli-import-batch = 如需撤销本次导入：banyan import undo { $batch }
cli-undo-done = 已撤销导入：删除客户 { $removed } 位，恢复字段 { $restored } 个；另有 { $kept } 个字段在导入后被修改过，已保留。
cli-undo-kept = 已保留 { $name } › { $field }：导入后曾被修改。
cli-import-counts = +{ $created } ~{ $updated } ={ $skipped } !{ $failed }
cli-col-batch = 批次
cli-col-rows = 行数
cli-col-score = 相似度
cli-col-reasons = 原因
cli-duplicate-count = 共 { $count } 对疑似重复客户。

## 用户和登录。

cli-user-added = 已添加用户 { $login }（{ $name }）。
cli-user-disabled = 已停用 { $login }（{ $name }）：此账户不能再登录。
cli-user-enabled = 已启用 { $login }（{ $name }）。
cli-user-unlocked = 已在这台电脑上解锁 { $login }。
cli-user-password-changed = 已修改 { $login }（{ $name }）的密码。
cli-mfa-disabled = 已为 { $login }（{ $name }）关闭验证器。
cli-mfa-enrol =
    将 Banyan 添加到您的验证器应用：扫描二维码（--qr 文件 可将其写为图片），链接为
      { $uri }
    或输入此密钥：{ $secret }
    然后运行 `banyan mfa enroll --code 验证码`，填入应用显示的验证码。
cli-mfa-on = 验证器已开启。以下是您的恢复码，手机丢失时每个可用一次（只显示这一次，请妥善保存）：
cli-col-login = 登录名
cli-col-name = 姓名
cli-col-roles = 角色
cli-col-team = 团队
cli-col-mfa = 验证器
cli-col-role = 角色
cli-col-based-on = 复制自
cli-col-grants = 权限
cli-col-entity = 对象
cli-col-actions = 操作
cli-col-scope = 客户范围
cli-role-built-in = （内置）
cli-role-added = 已添加角色 { $name }。
cli-role-changed = 已修改角色 { $name }；其用户下次登录时生效。
cli-role-export-cap = 导出上限：{ $cap } 行
cli-role-no-cap = 无
cli-role-every-action = 全部操作
cli-role-entity = “{ $value }”不是对象：customer、contact、activity、product、order、settings、users、audit 或 privacy。
cli-role-action = “{ $value }”不是操作列表：read、create、update、delete、import、export、merge。
cli-role-scope = “{ $value }”不是范围：own、team 或 all。
cli-role-cap = “{ $value }”不是行数（或 “none”）。
cli-role-nothing = 请说明要修改什么：对象和操作，或 --export-cap。
cli-user-status-active = 在用
cli-user-status-disabled = 已停用
cli-yes = 是
cli-no = 否
cli-hidden = （已隐藏）
