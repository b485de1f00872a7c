//! Phones exactly as Google's libphonenumber decides: every row of tests/fixtures/phones/oracle.tsv
//! (15,000 numbers as people type them, 42 regions, with libphonenumber 9.0.42's verdict, made by
//! make.py with the `phonenumbers` package) must get the same answer from Banyan, valid numbers
//! the same E.164 form and extension, invalid ones refused.

use banyan::quality::phone::{Region, normalize};
use std::collections::BTreeSet;

#[test]
fn every_number_gets_libphonenumbers_verdict() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/phones/oracle.tsv")).unwrap();
    let mut regions = BTreeSet::new();
    let (mut rows, mut valid, mut differ) = (0, 0, Vec::new());
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let (input, region, want) = (cols.next().unwrap(), cols.next().unwrap(), cols.next().unwrap());
        let r = Region::parse(region).unwrap_or_else(|| panic!("region {region}"));
        regions.insert(region.to_string());
        let got = normalize(input, r);
        let want = (want != "-").then(|| want.to_string());
        valid += usize::from(want.is_some());
        if got != want {
            differ.push(format!("{input:?} in {region}: libphonenumber {want:?}, Banyan {got:?}"));
        }
        rows += 1;
    }
    assert!(rows >= 5000 && regions.len() >= 30, "{rows} rows, {} regions", regions.len());
    assert!(valid > rows / 2 && valid < rows, "the table holds valid and invalid numbers: {valid} of {rows}");
    assert!(differ.is_empty(), "{} of {rows} differ:\n{}", differ.len(), differ[..differ.len().min(40)].join("\n"));
}
