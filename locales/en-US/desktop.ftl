# The desktop app's native menu (formatted by the Rust shell).

menu-file = File
menu-new-customer = New Customer
menu-new-order = New Order
menu-import = Import…
menu-export = Export…
menu-settings = Settings…
menu-lock = Lock Banyan
menu-quit = Quit Banyan
menu-edit = Edit
menu-undo = Undo
menu-redo = Redo
menu-cut = Cut
menu-copy = Copy
menu-paste = Paste
menu-select-all = Select All
menu-view = View
menu-customers = Customers
menu-orders = Orders
menu-products = Products
menu-data = Import, export & duplicates
menu-help = Help
menu-save-diagnostics = Save diagnostics…
