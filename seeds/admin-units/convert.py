#!/usr/bin/env python3
"""Regenerate the admin-unit seed files from the `vietnamadminunits` wheel (MIT).

Usage:
    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vau
    cd /tmp/vau && unzip -o -q vietnamadminunits-1.0.4-py3-none-any.whl -d x
    python3 seeds/admin-units/convert.py /tmp/vau/x/vietnamadminunits/data seeds/admin-units

Reads data/dataset.db (names and codes) and data/converter_2025.json (legacy -> new mapping)
and writes current-units.csv and legacy-units.csv. Standard library only.
"""
import csv, json, sqlite3, sys, hashlib, os

VERSION = "vietnamadminunits-1.0.4"

def main(data_dir, out_dir):
    db = sqlite3.connect(os.path.join(data_dir, "dataset.db"))
    conv = json.load(open(os.path.join(data_dir, "converter_2025.json"), encoding="utf-8"))

    # New units: (provinceKey, wardKey) -> wardCode
    new_by_key = {}
    current = []
    for (pk, wk, pcode, pname, wcode, wname) in db.execute(
        "select provinceKey, wardKey, provinceCode, province, wardCode, ward from admin_units order by provinceCode, wardCode"
    ):
        assert (pk, wk) not in new_by_key, (pk, wk)
        new_by_key[(pk, wk)] = wcode
        current.append((pcode, pname, wcode, wname))

    # legacy key "prov_dist_ward" -> [(new ward code, is_default)]
    mapping = {}
    for new_pk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wk, olds in wards.items():
            code = new_by_key[(new_pk, new_wk)]
            for old in olds:
                assert old not in mapping, old
                mapping[old] = [(code, True)]
    for new_pk, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, cands in olds.items():
            assert old not in mapping, old
            mapping[old] = [(new_by_key[(new_pk, c["newWardKey"])], bool(c["isDefaultNewWard"])) for c in cands]

    legacy = []
    for (pk, dk, wk, pcode, pname, dcode, dname, wcode, wname) in db.execute(
        "select provinceKey, districtKey, wardKey, provinceCode, province, districtCode, district, wardCode, ward "
        "from admin_units_legacy order by provinceCode, districtCode, wardCode"
    ):
        key = f"{pk}_{dk}_{wk or ''}"
        news = mapping.pop(key)
        # default candidate first, marked with '*'
        news.sort(key=lambda x: (not x[1], x[0]))
        cell = "|".join(c + ("*" if d and len(news) > 1 else "") for c, d in news)
        legacy.append((pcode, pname, dcode, dname, wcode or "", wname or "", cell))
    assert not mapping, list(mapping)[:5]

    header = [
        f"# version: {VERSION}",
        "# source: PyPI vietnamadminunits 1.0.4 (MIT, (c) 2025 Tran Ngoc Minh Hieu), data/dataset.db + data/converter_2025.json",
        "# regenerate: seeds/admin-units/convert.py",
    ]
    def write(name, cols, rows, extra):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8", newline="") as f:
            for h in header + extra:
                f.write(h + "\n")
            w = csv.writer(f, lineterminator="\n")
            w.writerow(cols)
            w.writerows(rows)
    write("current-units.csv", ["province_code", "province", "ward_code", "ward"], current,
          ["# 34 provinces / 3,321 communes in force since 2025-07-01"])
    write("legacy-units.csv", ["province_code", "province", "district_code", "district", "ward_code", "ward", "new_ward_codes"], legacy,
          ["# 63 provinces / 10,040 units before 2025-07-01; new_ward_codes: '|'-separated, '*' = package's default when split"])
    print(len(current), len(legacy))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
