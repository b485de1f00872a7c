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
