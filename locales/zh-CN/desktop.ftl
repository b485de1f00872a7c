# 桌面程序的系统菜单（由 Rust 外壳格式化）。

menu-file = 文件
menu-new-customer = 新建客户
menu-new-order = 新建订单
menu-import = 导入…
menu-export = 导出…
menu-settings = 设置…
menu-lock = 锁定 Banyan
menu-quit = 退出 Banyan
menu-edit = 编辑
menu-undo = 撤销
menu-redo = 重做
menu-cut = 剪切
menu-copy = 复制
menu-paste = 粘贴
menu-select-all = 全选
menu-view = 视图
menu-customers = 客户
menu-orders = 订单
menu-products = 商品
menu-data = 导入导出与查重
menu-help = 帮助
menu-save-diagnostics = 保存诊断信息…

## Linux 软件包中对应用的介绍（AppStream 元信息、桌面条目）。
app-name = Banyan 客户管理
app-generic-name = 客户关系管理
# 桌面条目的搜索词，以“;”分隔并结尾。
app-keywords = CRM;客户;销售;联系人;订单;
app-summary = 离线优先、加密存储的客户管理，面向销售和客服团队
app-description-1 = Banyan 客户管理将公司的客户、联系人、活动、订单和产品保存在每台电脑上的加密客户库中。外出无网络时照常使用，回到办公室后与同事的电脑或办公室中心同步，无需运行服务器。
app-description-2 = 输入即可按姓名、拼音、首字母、电话或邮箱找到客户。导入可读取企业实际使用的 Excel、WPS 和 CSV 文件，标出每个有问题的单元格，并可整体撤销。用户、角色和审计记录说明谁可以查看和修改什么，以及谁做了修改。
