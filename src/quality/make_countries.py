#!/usr/bin/env python3
"""Makes countries.tsv: every country and territory with the names people write in a country
column (English and Chinese, simplified and traditional, from the Unicode CLDR as Babel ships it,
the ISO 3166 names and codes from pycountry) and a few everyday aliases CLDR does not list.
quality/country.rs embeds the file to read a row's country, so its phones are read in the
country the row says.

    python3 -m venv /tmp/v && /tmp/v/bin/pip install babel==2.19.0 pycountry==26.2.16
    /tmp/v/bin/python src/quality/make_countries.py
"""
from babel import Locale
import pycountry

ALIASES = {
    "US": ["USA", "U.S.", "U.S.A.", "United States of America", "America", "美利坚合众国", "美利坚"],
    "GB": ["UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland", "英格兰", "大不列颠"],
    "CN": ["PRC", "P.R.C.", "P.R. China", "China Mainland", "Mainland China", "中国大陆", "中华人民共和国", "大陆", "内地"],
    "HK": ["Hong Kong SAR", "Hongkong", "香港", "香港特别行政区", "中国香港"],
    "MO": ["Macau", "Macau SAR", "Macao SAR", "澳门", "澳門", "澳门特别行政区", "中国澳门"],
    "TW": ["Taiwan, Province of China", "中国台湾", "台湾省"],
    "KR": ["South Korea", "Korea", "Republic of Korea", "南韩", "大韩民国"],
    "KP": ["North Korea", "朝鲜民主主义人民共和国"],
    "RU": ["Russia", "Russian Federation", "俄国"],
    "AE": ["UAE", "U.A.E.", "阿联酋"],
    "DE": ["Deutschland", "德意志"],
    "FR": ["La France"],
    "JP": ["Nippon", "Nihon", "日本国"],
    "NL": ["Holland", "The Netherlands"],
    "VN": ["Viet Nam"],
    "CZ": ["Czech Republic"],
}


def main():
    en, zh, hant = Locale("en").territories, Locale("zh").territories, Locale("zh_Hant").territories
    rows = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = c.alpha_2
        names = [code, c.alpha_3, c.name, getattr(c, "official_name", ""), getattr(c, "common_name", "")]
        names += [en.get(code, ""), zh.get(code, ""), hant.get(code, "")]
        names += ALIASES.get(code, [])
        seen, out = set(), []
        for n in names:
            n = n.strip()
            if n and "|" not in n and n.lower() not in seen:
                seen.add(n.lower())
                out.append(n)
        rows.append(code + "\t" + "|".join(out))
    path = __file__.rsplit("/", 1)[0] + "/countries.tsv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("# code\tnames (CLDR en/zh/zh-Hant via Babel 2.19.0, ISO 3166 via pycountry 26.2.16, aliases); made by make_countries.py\n")
        f.write("\n".join(rows) + "\n")
    print(len(rows), "countries")


if __name__ == "__main__":
    main()
