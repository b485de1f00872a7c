//! Realistic demo data: a mixed Chinese and English customer book with companies, people,
//! contacts, activities, products and orders in every status. Seeded, so a run is repeatable.

use crate::error::Result;
use crate::model::*;
use crate::quality::phone;
use crate::store::{Actor, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("韩", "han"),
    ("曾", "zeng"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("萧", "xiao"),
    ("田", "tian"),
    ("董", "dong"),
    ("潘", "pan"),
    ("蔡", "cai"),
    ("欧阳", "ouyang"),
    ("司马", "sima"),
    ("上官", "shangguan"),
    ("单", "shan"),
    ("解", "xie"),
];
const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("秀英", "xiuying"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("婷", "ting"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("欣怡", "xinyi"),
    ("子轩", "zixuan"),
    ("梓涵", "zihan"),
    ("一诺", "yinuo"),
    ("雨桐", "yutong"),
    ("俊杰", "junjie"),
    ("晓东", "xiaodong"),
    ("建华", "jianhua"),
    ("国强", "guoqiang"),
    ("海燕", "haiyan"),
    ("思远", "siyuan"),
    ("嘉怡", "jiayi"),
    ("三丰", "sanfeng"),
    ("文博", "wenbo"),
    ("慧敏", "huimin"),
];
const FIRST: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Susan",
    "Sarah",
    "Thomas",
    "Emma",
    "Oliver",
    "Sophie",
    "Lukas",
    "Anna",
    "Jürgen",
    "Zoë",
    "François",
    "Chloé",
    "Mateo",
    "Priya",
    "Ahmed",
    "Yuki",
    "Kevin",
    "Grace",
    "Daniel",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Anderson",
    "Thomas",
    "Moore",
    "Martin",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Dubois",
    "García",
    "Rossi",
    "Tanaka",
    "Nguyen",
    "O'Brien",
    "Kowalski",
    "Svensson",
    "Chan",
    "Wong",
    "Lee",
];
const CN_CITIES: &[&str] = &[
    "北京", "上海", "广州", "深圳", "杭州", "成都", "重庆", "武汉", "南京", "西安", "苏州", "天津", "厦门", "青岛",
    "长沙",
];
const INTL_CITIES: &[(&str, &str)] = &[
    ("London", "United Kingdom"),
    ("Hamburg", "Germany"),
    ("Munich", "Germany"),
    ("Singapore", "Singapore"),
    ("New York", "United States"),
    ("San Francisco", "United States"),
    ("Sydney", "Australia"),
    ("Hong Kong", "China"),
    ("Paris", "France"),
    ("Toronto", "Canada"),
];
const CN_BRAND: &[&str] = &[
    "华信", "鼎盛", "恒通", "金桥", "博远", "天合", "联创", "中科", "瑞丰", "宏达", "新元", "东方", "长城", "云帆",
    "盛世",
];
const CN_TRADE: &[&str] =
    &["科技", "贸易", "电子", "实业", "物流", "医疗器械", "食品", "建材", "网络科技", "信息技术", "机械", "纺织"];
const CN_SUFFIX: &[&str] = &["有限公司", "股份有限公司", "有限责任公司"];
const EN_BRAND: &[&str] = &[
    "Northwind",
    "Blue Harbor",
    "Evergreen",
    "Summit",
    "Pioneer",
    "Atlas",
    "Redwood",
    "Silverline",
    "Keystone",
    "Lumen",
];
const EN_TRADE: &[&str] =
    &["Trading", "Logistics", "Foods", "Systems", "Medical", "Partners", "Manufacturing", "Textiles"];
const EN_SUFFIX: &[&str] = &["Ltd", "GmbH", "Inc.", "LLC", "Co."];
const TAGS: &[&str] =
    &["VIP", "经销商", "潜在客户", "Key account", "华东", "华南", "Export", "老客户", "Trade show 2026"];
const SOURCES: &[&str] = &["展会", "官网", "Referral", "电话营销", "LinkedIn", "老客户介绍", "Cold call"];
const OWNERS: &[&str] = &["李娜", "王强", "Emma Wilson", "张伟", "Daniel Brown"];
const CN_MOBILE: &[&str] = &[
    "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "158", "159", "186", "187", "188", "189",
    "177", "199",
];

/// What [`fill`] added.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DemoSummary {
    pub customers: usize,
    pub contacts: usize,
    pub activities: usize,
    pub products: usize,
    pub orders: usize,
}

/// Generates customer input: about 70 % Chinese, a third of all customers companies.
pub struct DemoGen {
    rng: StdRng,
}

impl DemoGen {
    pub fn new(seed: u64) -> Self {
        Self { rng: StdRng::seed_from_u64(seed) }
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.rng.random_range(0..xs.len())]
    }

    fn cn_mobile(&mut self) -> String {
        format!("{}{:08}", self.pick(CN_MOBILE), self.rng.random_range(0..100_000_000u32))
    }

    fn intl_phone(&mut self) -> String {
        match self.rng.random_range(0..3) {
            0 => format!("+44 20 7{:03} {:04}", self.rng.random_range(0..1000), self.rng.random_range(0..10_000)),
            1 => format!("+49 30 {:08}", self.rng.random_range(10_000_000..100_000_000u32)),
            _ => format!("+1 212 {:03} {:04}", self.rng.random_range(200..1000), self.rng.random_range(0..10_000)),
        }
    }

    /// A Chinese person's name and its pinyin (for the email address).
    pub fn chinese_name(&mut self) -> (String, String) {
        let (s, sp) = self.pick(SURNAMES);
        let (g, gp) = self.pick(GIVEN);
        (format!("{s}{g}"), format!("{sp}.{gp}"))
    }

    pub fn customer(&mut self) -> CustomerInput {
        let chinese = self.rng.random_bool(0.7);
        let company = self.rng.random_bool(0.33);
        let mut c =
            CustomerInput { kind: Some(if company { "company" } else { "person" }.into()), ..Default::default() };
        let n = self.rng.random_range(1..1000);
        if chinese {
            let city = self.pick(CN_CITIES);
            c.city = Some(city.into());
            c.country = Some("中国".into());
            c.phones.push(self.cn_mobile());
            if company {
                c.name = Some(format!("{city}{}{}{}", self.pick(CN_BRAND), self.pick(CN_TRADE), self.pick(CN_SUFFIX)));
                c.emails.push(format!(
                    "sales{n}@{}.com.cn",
                    ["huaxin", "dingsheng", "hengtong", "jinqiao", "boyuan"][n % 5]
                ));
                c.address = Some(format!("{city}市{}路{}号", self.pick(CN_BRAND), self.rng.random_range(1..999)));
            } else {
                let (name, py) = self.chinese_name();
                c.name = Some(name);
                c.emails.push(format!("{py}{n}@{}", ["163.com", "qq.com", "126.com", "sina.com"][n % 4]));
                if self.rng.random_bool(0.5) {
                    c.company = Some(format!("{}{}{}", self.pick(CN_BRAND), self.pick(CN_TRADE), self.pick(CN_SUFFIX)));
                }
            }
        } else {
            let (city, country) = self.pick(INTL_CITIES);
            c.city = Some(city.into());
            c.country = Some(country.into());
            c.phones.push(self.intl_phone());
            if company {
                let brand = self.pick(EN_BRAND);
                c.name = Some(format!("{brand} {} {}", self.pick(EN_TRADE), self.pick(EN_SUFFIX)));
                c.emails.push(format!("info{n}@{}.com", brand.to_lowercase().replace(' ', "")));
                c.address = Some(format!("{} {} Street", self.rng.random_range(1..300), self.pick(LAST)));
            } else {
                let (f, l) = (self.pick(FIRST), self.pick(LAST));
                c.name = Some(format!("{f} {l}"));
                // "Müller" → "muller", "Zoë" → "zoe": addresses people really have.
                let ascii = |s: &str| {
                    crate::search::text::fold(s).chars().filter(|c| c.is_ascii_alphabetic()).collect::<String>()
                };
                c.emails.push(format!("{}.{}{n}@example.com", ascii(f), ascii(l)));
            }
        }
        if self.rng.random_bool(0.3) {
            c.phones.push(self.cn_mobile());
        }
        for _ in 0..self.rng.random_range(0..3) {
            c.tags.push(self.pick(TAGS).into());
        }
        c.owner = Some(self.pick(OWNERS).into());
        c.source = Some(self.pick(SOURCES).into());
        c
    }

    /// Like [`DemoGen::customer`], validated; numbers the region rules reject are dropped.
    pub fn valid_customer(&mut self, ctx: &ValidationContext) -> ValidCustomer {
        loop {
            let mut c = self.customer();
            c.phones.retain(|p| phone::normalize(p, ctx.region).is_some());
            if let Ok(v) = c.validate(ctx) {
                return v;
            }
        }
    }
}

/// The demo catalogue: (SKU, name, price, tax %).
pub const PRODUCTS: &[(&str, &str, &str, &str)] = &[
    ("TEA-LJ-250", "西湖龙井 250g", "268.00", "13"),
    ("TEA-PE-357", "云南普洱茶饼 357g", "188.00", "13"),
    ("CHAIR-ERG-01", "Ergonomic office chair", "1299.00", "13"),
    ("DESK-STAND-120", "Standing desk 120 cm", "2499.00", "13"),
    ("LAPTOP-14", "笔记本电脑 14 英寸", "5999.00", "13"),
    ("MON-27-4K", "27\" 4K monitor", "2199.00", "13"),
    ("SVC-INSTALL", "上门安装服务", "300.00", "6"),
    ("SVC-SUPPORT-Y", "Annual support plan", "4800.00", "6"),
    ("PAPER-A4-5", "A4 复印纸 (5 包)", "129.90", "13"),
    ("PEN-GEL-12", "Gel pens, box of 12", "24.50", "13"),
    ("BOOK-CRM", "《客户关系管理实务》", "68.00", "9"),
    ("COFFEE-1KG", "Coffee beans 1 kg", "158.00", "13"),
];

/// Adds demo data to `store`; products already there are kept.
pub fn fill(
    store: &Store,
    actor: &Actor,
    ctx: &ValidationContext,
    currency: &str,
    customers: usize,
    seed: u64,
) -> Result<DemoSummary> {
    let mut summary = DemoSummary::default();
    let mut g = DemoGen::new(seed);
    let mut products = Vec::new();
    for (sku, name, price, tax) in PRODUCTS {
        if store.product_by_sku(sku)?.is_some() {
            continue;
        }
        let input = ProductInput {
            sku: Some(sku.to_string()),
            name: Some(name.to_string()),
            price: Some(price.to_string()),
            currency: Some(currency.to_string()),
            tax_rate: Some(tax.to_string()),
            active: Some(true),
        };
        products.push(input.validate(currency)?);
    }
    store.add_products(actor, &products)?;
    summary.products = products.len();

    let mut ids = Vec::with_capacity(customers);
    let mut left = customers;
    while left > 0 {
        let n = left.min(2_000);
        let batch: Vec<ValidCustomer> = (0..n).map(|_| g.valid_customer(ctx)).collect();
        let kinds: Vec<CustomerKind> = batch.iter().map(|c| c.kind).collect();
        ids.extend(store.add_customers(actor, &batch)?.into_iter().zip(kinds));
        left -= n;
    }
    summary.customers = customers;

    // Timelines, contacts and orders for the first few hundred customers: enough to browse, quick
    // enough that a large demo book is mostly customers.
    let skus: Vec<&str> = PRODUCTS.iter().map(|p| p.0).collect();
    let texts = [
        "电话沟通报价，客户希望下周收到样品。",
        "Visited the office, demoed the new range.",
        "发送了合同草稿。",
        "Follow-up call: budget approved for Q1.",
        "客户反馈交货期太长，需要协调。",
    ];
    for (i, (id, kind)) in ids.iter().take(300).enumerate() {
        if *kind == CustomerKind::Company {
            for _ in 0..g.rng.random_range(1..3) {
                let (name, py) = g.chinese_name();
                let contact = ContactInput {
                    name: Some(name),
                    title: Some(["采购经理", "Sales Director", "总经理", "IT Manager"][i % 4].into()),
                    phones: vec![g.cn_mobile()],
                    emails: vec![format!("{py}@example.cn")],
                    notes: None,
                };
                store.add_contact(actor, *id, &contact.validate(ctx)?)?;
                summary.contacts += 1;
            }
        }
        for k in 0..g.rng.random_range(1..4) {
            let kind = [ActivityKind::Call, ActivityKind::Visit, ActivityKind::Email, ActivityKind::Note][(i + k) % 4];
            let at = format!(
                "2026-{:02}-{:02}T{:02}:{:02}",
                g.rng.random_range(1..12),
                g.rng.random_range(1..29),
                g.rng.random_range(8..19),
                [0, 15, 30, 45][k % 4]
            );
            store.add_activity(actor, *id, kind, &at, texts[(i + k) % texts.len()])?;
            summary.activities += 1;
        }
        if i % 2 == 0 {
            let lines: Vec<LineInput> = (0..g.rng.random_range(1..4))
                .map(|_| LineInput {
                    sku: g.pick(&skus).to_string(),
                    quantity: g.rng.random_range(1..20).to_string(),
                    discount: [None, Some("5".to_string()), Some("10".to_string())][g.rng.random_range(0..3)].clone(),
                })
                .collect();
            let order = store.create_order(actor, *id, &lines, None)?;
            let steps = [
                &[][..],
                &[OrderStatus::Confirmed],
                &[OrderStatus::Confirmed, OrderStatus::Fulfilled],
                &[OrderStatus::Confirmed, OrderStatus::Fulfilled, OrderStatus::Paid],
                &[OrderStatus::Cancelled],
            ];
            for s in steps[(i / 2) % steps.len()] {
                store.set_order_status(actor, &order.id.to_string(), *s)?;
            }
            summary.orders += 1;
        }
    }
    Ok(summary)
}
