//! Column mapping: which source column feeds which customer field. Suggested from the headers
//! (English and Chinese names, our own export's names, custom fields' keys and labels), editable,
//! and saved by name in the settings so the next import of the same kind of file reuses it.

use crate::error::{FieldError, Result};
use crate::model::{ContactInput, CustomFieldDef, CustomerInput};
use crate::search::text::fold;
use serde::{Deserialize, Serialize};

/// Where a column's values go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "field", content = "key")]
pub enum Target {
    Ignore,
    /// A customer id from an earlier export: re-importing it finds the same customer.
    Id,
    Kind,
    Name,
    FamilyName,
    GivenName,
    Company,
    /// A person at the customer (联系人, Contact Person): with a customer-name or company column,
    /// each row is a company with this person as its contact; alone, the person's name.
    Contact,
    /// Job title (Title, 职务): the contact's, or kept as a note line on a person.
    Title,
    Phone,
    /// A mobile number: the contact's own in a "company + contact person" file, else a phone.
    Mobile,
    Email,
    /// The whole address in one column.
    Address,
    /// Parts of a split address (Salesforce's Mailing Street/City/State/Zip/Country, a Chinese
    /// CRM's 省份/城市/区县/详细地址): composed into the address; city and country also land in
    /// their own fields.
    Street,
    District,
    State,
    Postcode,
    City,
    Country,
    Tags,
    Owner,
    Source,
    Notes,
    /// Kept as a line "Column: value" in the notes: what a column no field stands for becomes,
    /// unless the user picks something else, so no column is dropped without a word.
    NoteLine,
    Custom(String),
}

/// One column's mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ColumnMap {
    pub column: String,
    pub target: Target,
}

/// A whole mapping, by column header (so it survives reordered columns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Mapping {
    pub columns: Vec<ColumnMap>,
}

/// Header spellings per target, compared after folding and removing spaces and punctuation.
type Synonyms = (&'static [&'static str], fn() -> Target);
const SYNONYMS: &[Synonyms] = &[
    (&["id", "customerid", "uid", "客户编号", "客户id", "编号"], || Target::Id),
    (&["kind", "type", "customertype", "客户类型", "类型", "类别"], || Target::Kind),
    (
        &[
            "name",
            "fullname",
            "customer",
            "customername",
            "displayname",
            "fn",
            "姓名",
            "名字",
            "客户",
            "客户名称",
            "客户姓名",
            "名称",
            "客户名",
            "n",
        ],
        || Target::Name,
    ),
    (&["lastname", "surname", "familyname", "姓", "姓氏"], || Target::FamilyName),
    (&["firstname", "givenname", "forename", "名"], || Target::GivenName),
    (
        &[
            "company",
            "companyname",
            "organization",
            "organisation",
            "org",
            "account",
            "accountname",
            "employer",
            "公司",
            "公司名称",
            "单位",
            "单位名称",
            "企业",
            "企业名称",
            "工作单位",
            "所属公司",
            "所属客户",
            "客户单位",
            "parentcustomer",
            "relatedcompany",
            "associatedcompany",
        ],
        || Target::Company,
    ),
    (
        &["contact", "contactperson", "contactname", "primarycontact", "联系人", "联系人姓名", "对接人", "联络人"],
        || Target::Contact,
    ),
    (&["title", "jobtitle", "position", "jobposition", "职务", "职位", "职称", "岗位", "头衔"], || {
        Target::Title
    }),
    (
        &["mobile", "mobilephone", "cell", "cellphone", "手机", "手机号", "手机号码", "移动电话", "个人手机"],
        || Target::Mobile,
    ),
    (
        &[
            "phone",
            "phones",
            "tel",
            "telephone",
            "phonenumber",
            "workphone",
            "homephone",
            "businessphone",
            "officephone",
            "otherphone",
            "primaryphone",
            "directphone",
            "电话",
            "电话号码",
            "联系电话",
            "联系方式",
            "座机",
            "移动电话",
            "固话",
            "固定电话",
            "办公电话",
            "工作电话",
        ],
        || Target::Phone,
    ),
    (
        &[
            "email",
            "emails",
            "mail",
            "emailaddress",
            "e-mail",
            "primaryemail",
            "emailaddress1",
            "邮箱",
            "电子邮件",
            "电子邮箱",
            "邮件",
            "邮箱地址",
            "个人邮箱",
            "企业邮箱",
        ],
        || Target::Email,
    ),
    (&["address", "adr", "fulladdress", "地址", "联系地址", "通讯地址", "办公地点", "公司地址"], || Target::Address),
    (
        &[
            "street",
            "streetaddress",
            "street1",
            "street2",
            "street3",
            "addressline1",
            "addressline2",
            "address1",
            "address2",
            "mailingstreet",
            "billingstreet",
            "shippingstreet",
            "otherstreet",
            "primaryaddressstreet",
            "businessstreet",
            "homestreet",
            "address1street1",
            "address1street2",
            "详细地址",
            "街道",
            "街道地址",
        ],
        || Target::Street,
    ),
    (&["district", "suburb", "区县", "区", "县", "区/县", "所在区县", "所在地区"], || Target::District),
    (
        &[
            "state",
            "province",
            "region",
            "stateprovince",
            "stateregion",
            "county",
            "mailingstate",
            "mailingstateprovince",
            "billingstate",
            "billingstateprovince",
            "shippingstateprovince",
            "shippingstate",
            "primaryaddressstate",
            "businessstate",
            "address1stateprovince",
            "省",
            "省份",
            "所在省份",
            "省/直辖市",
            "省市",
        ],
        || Target::State,
    ),
    (
        &[
            "zip",
            "zipcode",
            "postcode",
            "postalcode",
            "mailingzip",
            "mailingpostalcode",
            "mailingzippostalcode",
            "billingzippostalcode",
            "shippingzippostalcode",
            "billingzip",
            "billingpostalcode",
            "shippingpostalcode",
            "primaryaddresspostalcode",
            "businesspostalcode",
            "address1zippostalcode",
            "邮编",
            "邮政编码",
        ],
        || Target::Postcode,
    ),
    (
        &[
            "city",
            "town",
            "locality",
            "mailingcity",
            "billingcity",
            "shippingcity",
            "primaryaddresscity",
            "businesscity",
            "address1city",
            "城市",
            "所在城市",
            "市",
        ],
        || Target::City,
    ),
    (
        &[
            "country",
            "nation",
            "countryregion",
            "mailingcountry",
            "billingcountry",
            "shippingcountry",
            "primaryaddresscountry",
            "businesscountry",
            "businesscountryregion",
            "address1countryregion",
            "国家",
            "国家地区",
            "国家/地区",
            "所在国家",
        ],
        || Target::Country,
    ),
    (
        &[
            "tags",
            "tag",
            "labels",
            "label",
            "categories",
            "category",
            "rating",
            "customerlevel",
            "lifecyclestage",
            "标签",
            "分类",
            "客户标签",
            "客户级别",
            "客户等级",
            "级别",
            "等级",
        ],
        || Target::Tags,
    ),
    (
        &[
            "owner",
            "salesrep",
            "accountowner",
            "contactowner",
            "leadowner",
            "salesperson",
            "assignedto",
            "assigneduser",
            "负责人",
            "销售",
            "业务员",
            "所属销售",
            "客户经理",
            "跟进人",
        ],
        || Target::Owner,
    ),
    (&["source", "leadsource", "originalsource", "来源", "客户来源", "渠道"], || Target::Source),
    // Our own export's timestamps: the book keeps its own.
    (&["createdat", "updatedat"], || Target::Ignore),
    (
        &["notes", "note", "comment", "comments", "remark", "remarks", "description", "备注", "说明", "描述", "附注"],
        || Target::Notes,
    ),
];

fn header_key(h: &str) -> String {
    fold(h).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// A header without the " (2)" the reader adds to a repeated one: the second "电话" column is a
/// phone too.
fn base_header(h: &str) -> &str {
    match h.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
        Some((base, n)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => base,
        _ => h,
    }
}

/// Suggests a target for every column. Each single-valued target is given to the first column
/// that matches it; phones, emails and tags may come from several columns.
pub fn suggest(headers: &[String], custom_fields: &[CustomFieldDef]) -> Mapping {
    let mut used: Vec<Target> = Vec::new();
    let columns = headers
        .iter()
        .map(|h| {
            let key = header_key(base_header(h));
            let custom_key = h.strip_prefix("custom.").unwrap_or(h);
            let mut target = custom_fields
                .iter()
                .find(|d| d.key == custom_key || header_key(&d.label) == key || d.key == key)
                .map(|d| Target::Custom(d.key.clone()))
                .or_else(|| {
                    SYNONYMS.iter().find(|(names, _)| names.iter().any(|n| header_key(n) == key)).map(|(_, t)| t())
                })
                // No field for it: kept in the notes (the preview offers a custom field or tags).
                .unwrap_or(Target::NoteLine);
            let multi = matches!(
                target,
                Target::Phone | Target::Mobile | Target::Email | Target::Tags | Target::Notes | Target::Street
            );
            if !multi && !matches!(target, Target::Ignore | Target::NoteLine) && used.contains(&target) {
                // A second column for a single field (vCard's N beside FN, two "City" columns):
                // the first one wins; the import's summary names the one left out.
                target = Target::Ignore;
            }
            used.push(target.clone());
            ColumnMap { column: h.clone(), target }
        })
        .collect();
    Mapping { columns }
}

/// A mapping resolved against a table's headers: the target of each column by position.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub targets: Vec<Target>,
    pub headers: Vec<String>,
    /// Whether the company column stands for the customer itself (a book of companies).
    company_is_name: bool,
    /// A "company + contact person" file: each row is a company customer with a contact.
    contact_mode: bool,
}

impl Mapping {
    /// Applies this mapping to a table's headers; a column the mapping does not mention is
    /// ignored, and a mapped column the file lacks is reported.
    pub fn resolve(&self, headers: &[String]) -> Result<Resolved, FieldError> {
        for c in &self.columns {
            if c.target != Target::Ignore && !headers.iter().any(|h| h == &c.column) {
                return Err(FieldError::new("mapping", "error-import-mapping-column").arg("column", &c.column));
            }
        }
        let targets: Vec<Target> = headers
            .iter()
            .map(|h| self.columns.iter().find(|c| &c.column == h).map(|c| c.target.clone()).unwrap_or(Target::Ignore))
            .collect();
        let has = |f: &dyn Fn(&Target) -> bool| targets.iter().any(f);
        if !has(&|t| {
            matches!(t, Target::Name | Target::FamilyName | Target::GivenName | Target::Company | Target::Contact)
        }) {
            return Err(FieldError::new("mapping", "error-import-mapping-name"));
        }
        let person_name = has(&|t| matches!(t, Target::Name | Target::FamilyName | Target::GivenName));
        let contact_mode =
            has(&|t| *t == Target::Contact) && (has(&|t| *t == Target::Name) || has(&|t| *t == Target::Company));
        Ok(Resolved { targets, headers: headers.to_vec(), company_is_name: !person_name, contact_mode })
    }
}

/// The parts of a split address, composed as people write them: Chinese addresses from the
/// largest place down (浙江省杭州市西湖区文三路 90 号), others from the street up (1 Main St,
/// Springfield, IL 62701, United States). A part the street already holds is not repeated.
struct AddressParts<'a> {
    street: &'a [String],
    district: Option<&'a str>,
    city: Option<&'a str>,
    state: Option<&'a str>,
    postcode: Option<&'a str>,
    country: Option<&'a str>,
}

impl<'a> AddressParts<'a> {
    fn compose(&self) -> String {
        let street = self.street.join(if self.is_chinese() { "" } else { ", " });
        fn fresh<'p>(p: Option<&'p str>, street: &str) -> Option<&'p str> {
            p.map(str::trim).filter(|p| !p.is_empty() && !street.contains(*p))
        }
        let fresh = |p: Option<&'a str>| fresh(p, &street);
        if self.is_chinese() {
            let mut out = String::new();
            let china = self.country.and_then(crate::quality::country::code_of) == Some("CN");
            for part in
                [fresh(self.country).filter(|_| !china), fresh(self.state), fresh(self.city), fresh(self.district)]
                    .into_iter()
                    .flatten()
            {
                out.push_str(part);
            }
            out.push_str(&street);
            if let Some(p) = fresh(self.postcode) {
                out.push(' ');
                out.push_str(p);
            }
            return out.trim().to_string();
        }
        let state = fresh(self.state).filter(|s| Some(*s) != self.city.map(str::trim));
        let state_zip = [state, fresh(self.postcode)].into_iter().flatten().collect::<Vec<_>>().join(" ");
        [Some(street.as_str()), fresh(self.district), fresh(self.city), Some(state_zip.as_str()), fresh(self.country)]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn is_chinese(&self) -> bool {
        let han = |s: &str| s.chars().any(crate::search::text::is_han);
        self.street.iter().any(|s| han(s)) || [self.district, self.city, self.state].into_iter().flatten().any(han)
    }
}

/// A row turned into a customer input, with the source column of every field so validation
/// errors can name the column the user sees.
#[derive(Debug, Clone, Default)]
pub struct MappedRow {
    pub input: CustomerInput,
    /// The contact person of a "company + contact person" row.
    pub contact: Option<ContactInput>,
    pub id: Option<String>,
    /// Validation field path ("phones[1]", "name", "custom.industry") → source column.
    pub columns: Vec<(String, String)>,
}

impl MappedRow {
    pub fn column_of(&self, field: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(f, _)| f == field)
            .or_else(|| {
                let base = field.split('[').next().unwrap_or(field);
                self.columns.iter().find(|(f, _)| f == base)
            })
            .map(|(_, c)| c.as_str())
    }
}

fn split_list(s: &str, seps: &[char]) -> Vec<String> {
    s.split(seps).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

const PHONE_SEPS: &[char] = &[';', ',', '/', '、', '，', '；', '\n', '|'];
const EMAIL_SEPS: &[char] = &[';', ',', '，', '；', '\n', ' ', '|'];
const TAG_SEPS: &[char] = &[';', ',', '，', '；', '、', '|', '\n'];

/// "个人", "Individual", "company", "企业" → the kinds validation accepts; anything else is left
/// as typed so validation reports it.
fn kind_text(s: &str) -> String {
    let k = header_key(s);
    match k.as_str() {
        "person" | "individual" | "people" | "contact" | "个人" | "人" | "自然人" | "个人客户" => {
            "person".into()
        }
        "company" | "organization" | "organisation" | "org" | "business" | "公司" | "企业" | "单位" | "企业客户"
        | "机构" => "company".into(),
        _ => s.trim().to_string(),
    }
}

impl Resolved {
    pub fn map_row(&self, cells: &[String]) -> MappedRow {
        let mut out = MappedRow::default();
        let mut family = String::new();
        let mut given = String::new();
        let mut name_cols: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut note_lines: Vec<String> = Vec::new();
        let mut contact = ContactInput::default();
        let mut street: Vec<String> = Vec::new();
        let (mut district, mut state, mut postcode) = (None::<String>, None::<String>, None::<String>);
        let mut split_address = false;
        for (i, t) in self.targets.iter().enumerate() {
            let Some(v) = cells.get(i) else { continue };
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let col = &self.headers[i];
            let input = &mut out.input;
            let single = |slot: &mut Option<String>, path: &str, cols: &mut Vec<(String, String)>| {
                *slot = Some(v.to_string());
                cols.push((path.to_string(), col.clone()));
            };
            match t {
                Target::Ignore => {}
                Target::Id => out.id = Some(v.to_string()),
                Target::Kind => {
                    input.kind = Some(kind_text(v));
                    out.columns.push(("kind".into(), col.clone()));
                }
                Target::Name => {
                    input.name = Some(v.to_string());
                    name_cols.push(col.clone());
                }
                Target::FamilyName => {
                    family = v.to_string();
                    name_cols.push(col.clone());
                }
                Target::GivenName => {
                    given = v.to_string();
                    name_cols.push(col.clone());
                }
                Target::Company if self.company_is_name => {
                    input.name = Some(v.to_string());
                    input.kind.get_or_insert_with(|| "company".into());
                    name_cols.push(col.clone());
                }
                Target::Company => single(&mut input.company, "company", &mut out.columns),
                Target::Contact if self.contact_mode => {
                    contact.name = Some(v.to_string());
                    out.columns.push(("contact.name".into(), col.clone()));
                }
                Target::Contact => {
                    input.name = Some(v.to_string());
                    name_cols.push(col.clone());
                }
                Target::Title if self.contact_mode => {
                    contact.title = Some(v.to_string());
                    out.columns.push(("contact.title".into(), col.clone()));
                }
                Target::Title | Target::NoteLine => {
                    note_lines.push(format!("{col}: {v}"));
                    out.columns.push(("notes".into(), col.clone()));
                }
                Target::Mobile if self.contact_mode => {
                    for p in split_list(v, PHONE_SEPS) {
                        out.columns.push((format!("contact.phones[{}]", contact.phones.len()), col.clone()));
                        contact.phones.push(p);
                    }
                }
                Target::Phone | Target::Mobile => {
                    for p in split_list(v, PHONE_SEPS) {
                        out.columns.push((format!("phones[{}]", input.phones.len()), col.clone()));
                        input.phones.push(p);
                    }
                }
                Target::Email => {
                    for e in split_list(v, EMAIL_SEPS) {
                        out.columns.push((format!("emails[{}]", input.emails.len()), col.clone()));
                        input.emails.push(e);
                    }
                }
                Target::Tags => {
                    for tag in split_list(v, TAG_SEPS) {
                        out.columns.push((format!("tags[{}]", input.tags.len()), col.clone()));
                        input.tags.push(tag);
                    }
                }
                Target::Address => single(&mut input.address, "address", &mut out.columns),
                Target::Street => {
                    street.push(v.to_string());
                    split_address = true;
                    out.columns.push(("address".into(), col.clone()));
                }
                Target::District | Target::State | Target::Postcode => {
                    let slot = match t {
                        Target::District => &mut district,
                        Target::State => &mut state,
                        _ => &mut postcode,
                    };
                    *slot = Some(v.to_string());
                    split_address = true;
                    out.columns.push(("address".into(), col.clone()));
                }
                Target::City => single(&mut input.city, "city", &mut out.columns),
                Target::Country => single(&mut input.country, "country", &mut out.columns),
                Target::Owner => single(&mut input.owner, "owner", &mut out.columns),
                Target::Source => single(&mut input.source, "source", &mut out.columns),
                Target::Notes => {
                    notes.push(v.to_string());
                    out.columns.push(("notes".into(), col.clone()));
                }
                Target::Custom(k) => {
                    input.custom.insert(k.clone(), v.to_string());
                    out.columns.push((format!("custom.{k}"), col.clone()));
                }
            }
        }
        let input = &mut out.input;
        if split_address {
            // The whole-address column, if any, is the street part of a split address.
            street.extend(input.address.take());
            let parts = AddressParts {
                street: &street,
                district: district.as_deref(),
                city: input.city.as_deref(),
                state: state.as_deref(),
                postcode: postcode.as_deref(),
                country: input.country.as_deref(),
            };
            input.address = Some(parts.compose()).filter(|a| !a.is_empty());
        }
        if self.contact_mode {
            // The customer is the company; a row without a person has no contact.
            input.kind.get_or_insert_with(|| "company".into());
            if contact.name.is_some() {
                out.contact = Some(contact);
            } else if !contact.phones.is_empty() {
                input.phones.append(&mut contact.phones);
            }
        }
        if input.name.is_none() && !(family.is_empty() && given.is_empty()) {
            let cjk = family.chars().chain(given.chars()).any(crate::search::text::is_han);
            input.name =
                Some(if cjk { format!("{family}{given}") } else { format!("{given} {family}").trim().to_string() });
        }
        // A row with no name but a company is the company itself.
        if input.name.is_none() && input.company.is_some() && input.kind.as_deref() != Some("person") {
            input.name = input.company.take();
            input.kind = Some("company".into());
            if let Some(pos) = out.columns.iter().position(|(f, _)| f == "company") {
                let (_, col) = out.columns.remove(pos);
                name_cols.push(col);
            }
        }
        if input.kind.is_none() {
            input.kind = Some("person".into());
        }
        notes.extend(note_lines);
        if !notes.is_empty() {
            input.notes = Some(notes.join("\n"));
        }
        // Name problems (a missing name) point at the columns that were to give it.
        let name_cols: Vec<String> = self
            .targets
            .iter()
            .zip(&self.headers)
            .filter(|(t, _)| {
                matches!(t, Target::Name | Target::FamilyName | Target::GivenName)
                    || (self.company_is_name && **t == Target::Company)
            })
            .map(|(_, h)| h.clone())
            .chain(name_cols)
            .fold(Vec::new(), |mut acc, h| {
                if !acc.contains(&h) {
                    acc.push(h);
                }
                acc
            });
        out.columns.push(("name".into(), name_cols.join(" + ")));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(hs: &[&str]) -> Vec<String> {
        hs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_and_english_headers_are_recognized() {
        let m = suggest(&headers(&["姓名", "手机", "电话", "邮箱", "公司", "地址", "城市", "备注", "生日"]), &[]);
        let t: Vec<Target> = m.columns.iter().map(|c| c.target.clone()).collect();
        assert_eq!(
            t,
            vec![
                Target::Name,
                Target::Mobile,
                Target::Phone,
                Target::Email,
                Target::Company,
                Target::Address,
                Target::City,
                Target::Notes,
                // No field for it: kept in the notes.
                Target::NoteLine
            ]
        );
        let m = suggest(&headers(&["First Name", "Last Name", "E-mail Address", "Mobile Phone", "Company"]), &[]);
        let t: Vec<Target> = m.columns.iter().map(|c| c.target.clone()).collect();
        assert_eq!(t, vec![Target::GivenName, Target::FamilyName, Target::Email, Target::Mobile, Target::Company]);
    }

    #[test]
    fn rows_map_to_inputs_with_their_columns() {
        let hs = headers(&["姓", "名", "手机", "电话"]);
        let r = suggest(&hs, &[]).resolve(&hs).unwrap();
        let row = r.map_row(&headers(&["张", "三丰", "13800138000", "010-12345678; 010-87654321"]));
        assert_eq!(row.input.name.as_deref(), Some("张三丰"));
        assert_eq!(row.input.phones, vec!["13800138000", "010-12345678", "010-87654321"]);
        assert_eq!(row.column_of("phones[2]"), Some("电话"));
        assert_eq!(row.column_of("name"), Some("姓 + 名"));
    }

    #[test]
    fn a_repeated_header_is_a_column_of_its_own() {
        // The reader numbers the second "电话" column; both are phones.
        let m = suggest(&headers(&["姓名", "电话", "电话 (2)", "城市", "城市 (2)"]), &[]);
        let t: Vec<Target> = m.columns.iter().map(|c| c.target.clone()).collect();
        assert_eq!(t, vec![Target::Name, Target::Phone, Target::Phone, Target::City, Target::Ignore]);
        let hs = headers(&["姓名", "电话", "电话 (2)"]);
        let r = suggest(&hs, &[]).resolve(&hs).unwrap();
        let row = r.map_row(&headers(&["王五", "010-62345678", "13800138000"]));
        assert_eq!(row.input.phones, vec!["010-62345678", "13800138000"]);
        assert_eq!(row.column_of("phones[1]"), Some("电话 (2)"));
    }

    #[test]
    fn a_company_only_book_is_a_book_of_companies() {
        let hs = headers(&["公司名称", "电话"]);
        let r = suggest(&hs, &[]).resolve(&hs).unwrap();
        let row = r.map_row(&headers(&["北京某某科技有限公司", "010-12345678"]));
        assert_eq!(row.input.name.as_deref(), Some("北京某某科技有限公司"));
        assert_eq!(row.input.kind.as_deref(), Some("company"));
    }
}
