# 策略：IT 在组策略（ADML 模板）、参考页面和应用的“生效策略”列表中看到的名称与说明。
# `cargo xtask policy` 依据本文件和 packaging/policy/policies.schema.json 生成模板。

policy-templates-title = Banyan CRM
policy-templates-description = Banyan CRM 桌面端的策略：强制策略用户无法更改；推荐策略在用户自行设置前生效。
#   $version (String) - 开始读取这些策略的版本
policy-templates-supported = Banyan CRM { $version } 及更高版本
policy-category-Banyan = Banyan CRM
policy-category-Recommended = Banyan CRM - 推荐（用户可更改）
policy-category-General = 常规
policy-category-Data = 数据
policy-category-Security = 安全
policy-category-Updates = 更新
policy-category-Backups = 备份

policy-name-Locale = 语言
policy-explain-Locale = Banyan 窗口及命令行工具消息的语言。作为强制策略时语言切换被锁定；作为推荐策略时在用户选择其他语言前生效。未配置：使用系统语言。
policy-label-Locale = 语言：
policy-value-Locale-en-US = 英语（美国）
policy-value-Locale-zh-CN = 简体中文

policy-name-LogLevel = 日志级别
policy-explain-LogLevel = Banyan 写入日志的详细程度（绝不包含客户数据或密钥）：关闭、仅错误、警告、事件（默认），或技术支持可能要求的详细信息。
policy-label-LogLevel = 级别：
policy-value-LogLevel-off = 关闭
policy-value-LogLevel-error = 错误
policy-value-LogLevel-warn = 警告
policy-value-LogLevel-info = 事件（默认）
policy-value-LogLevel-debug = 调试
policy-value-LogLevel-trace = 跟踪

policy-name-PhoneRegion = 电话区域
policy-explain-PhoneRegion = 未带国家代码的电话号码所属区域，使用两个字母的代码（CN、US、DE 等）。强制：本机按此区域识别和校验电话号码，不论客户库的设置如何，且在本机无法更改。推荐：新建的客户库以此为初始值。未配置：使用客户库自身的设置。
policy-label-PhoneRegion = 区域代码：

policy-name-Currency = 货币
policy-explain-Currency = 新商品使用的货币，使用三个字母的代码（CNY、USD、EUR 等）。强制：本机使用此货币，不论客户库的设置如何，且在本机无法更改。推荐：新建的客户库以此为初始值。未配置：使用客户库自身的设置。
policy-label-Currency = 货币代码：

policy-name-DatabaseDirectory = 客户库文件夹
policy-explain-DatabaseDirectory = 本机存放客户库的文件夹，须为本地磁盘上的绝对路径（不能是网络驱动器：SQLite 的锁在网络驱动器上不安全）。强制：Banyan 只打开此文件夹中的客户库；文件夹为相对路径、位于网络驱动器或不可写时，Banyan 会停止并显示指明该策略的消息，不会改用其他位置。推荐：新客户库的默认位置，用户可另行指定。未配置：用户的本地应用数据文件夹。
policy-label-DatabaseDirectory = 文件夹：

policy-name-KeyMode = 客户库密钥的保存方式
policy-explain-KeyMode = 本机加密客户库的密钥如何保存：保存在操作系统的钥匙串中（用户登录电脑后即可打开客户库），或由用户每次启动时输入的密码保护。强制“passphrase”：新客户库使用密码创建；密钥在钥匙串中的客户库须由用户先设置密码才能打开。强制“keyring”：新客户库的密钥保存在钥匙串中；已由密码保护的客户库保持不变（策略不会降低客户库的保护）。推荐：新客户库默认提供的方式。未配置：钥匙串。便携版 Banyan 始终使用密码。此策略用于配置，不能防范已持有密钥的人。
policy-label-KeyMode = 密钥保存于：
policy-value-KeyMode-keyring = 钥匙串
policy-value-KeyMode-passphrase = 密码保护

policy-name-PortableModeEnabled = 允许便携模式
policy-explain-PortableModeEnabled = 便携模式：Banyan 程序文件旁名为“data”的文件夹存放客户库、密钥文件、设置、日志和浏览器数据，Banyan 不在本机其他位置写入任何内容（密钥始终由密码保护，不进行更新）。已禁用：带有此类文件夹启动的 Banyan 会拒绝启动，并注明此策略。已启用或未配置：允许。

policy-name-ImportEnabled = 允许导入
policy-explain-ImportEnabled = 已禁用：任何人都不能向客户库导入文件（窗口中及 `banyan import` 均不可）；窗口中导入显示为灰色并注明策略名称。已启用或未配置：由角色决定谁可以导入。

policy-name-ExportEnabled = 允许导出
policy-explain-ExportEnabled = 已禁用：任何人都不能导出客户（窗口中及 `banyan export` 均不可）；窗口中导出显示为灰色并注明策略名称。已启用或未配置：由角色决定谁可以导出及可导出的行数。

policy-name-DemoDataEnabled = 允许演示数据
policy-explain-DemoDataEnabled = 已禁用：首次启动时不提供用演示客户填充新客户库，`banyan demo` 也会拒绝。

policy-name-IdleLockMinutes = 闲置多少分钟后锁定
policy-explain-IdleLockMinutes = Banyan 闲置多久后锁定并重新要求输入密码，1 至 1440 分钟。用户可以选择更短的时间，不能更长。未配置：10 分钟，用户可更改。
policy-label-IdleLockMinutes = 分钟：

policy-name-UpdateMode = 更新
policy-explain-UpdateMode = Banyan 是否在“更新服务器”策略指定的服务器上查找新版本，以及找到后如何处理。关闭（默认）：从不查找。通知：每次启动时及每天一次读取服务器上的清单，并在窗口中显示新版本；按用户安装（setup.exe、macOS 应用）会提供安装，MSI、.deb 和 .rpm 由 IT 自己的工具安装。自动：按用户安装会在后台下载并检查新版本，然后提供“安装并重启”；MSI、.deb 和 .rpm 只通知。每个安装包在安装前都会用 Banyan 内置的签名密钥检查，不符则拒绝。便携版 Banyan 从不更新。推荐：用户可在“设置”中选择更低的设置。
policy-label-UpdateMode = 更新：
policy-value-UpdateMode-off = 关闭
policy-value-UpdateMode-notify = 通知
policy-value-UpdateMode-auto = 自动

policy-name-UpdateUrl = 更新服务器
policy-explain-UpdateUrl = 您自己服务器上更新清单（latest.json）的 https:// 地址，即 `cargo xtask dist --mirror URL` 所写的地址。只有设置了此策略且“更新”策略开启更新时，Banyan 才会连接更新服务器。服务器证书必须受本机信任（将贵公司的证书颁发机构加入系统证书存储）。
policy-label-UpdateUrl = 地址：

policy-name-BackupDirectory = 备份文件夹
policy-explain-BackupDirectory = 每日备份写入的文件夹，须为绝对路径（本地文件夹或已挂载的共享）。未配置：客户库旁的备份文件夹。
policy-label-BackupDirectory = 文件夹：

policy-name-BackupSchedule = 备份时间
policy-explain-BackupSchedule = 每日备份的时间，格式为 HH:MM（24 小时制）。电脑关机期间错过的备份会在下次启动时进行。未配置：12:30。
policy-label-BackupSchedule = 时间（HH:MM）：

policy-name-BackupKeep = 保留的备份数
policy-explain-BackupKeep = 保留多少份每日、每周和每月备份（各 0 至 1000，不能全为 0）；每次备份后删除更早的备份。未配置：每日 7 份、每周 4 份、每月 12 份。
policy-label-BackupKeep-daily = 每日备份：
policy-label-BackupKeep-weekly = 每周备份：
policy-label-BackupKeep-monthly = 每月备份：

policy-name-BackupMaxAgeHours = 上次备份超过多少小时后警告
policy-explain-BackupMaxAgeHours = 距上次成功备份多少小时后，Banyan 在主界面和健康报告中发出警告，1 至 8760。未配置：48 小时。
policy-label-BackupMaxAgeHours = 小时：
