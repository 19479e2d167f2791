//! `qmbot import` and `qmbot check` run as real processes on the fixtures in
//! `tests/fixtures/import/` (made by `make_fixtures.py` from the fictional
//! 2025 notice `2025-notice.txt`): the same notice as a PDF, a DOCX and a
//! web page is imported into a copy of `data/` and then answered with
//! citations of 2025; bad files and broken catalogs fail with one line.

mod common;

use common::process::qmbot;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// A copy of the shipped `data/` in a fresh temporary directory.
fn data_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for entry in std::fs::read_dir(data).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The 15 slogans of the source notice, spaces normalised.
fn source_slogans() -> Vec<String> {
    let text = std::fs::read_to_string(fixture("2025-notice.txt")).unwrap();
    let list = text.split("口号：").nth(1).unwrap();
    list.lines()
        .filter_map(|l| l.trim().split_once('.'))
        .filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty())
        .map(|(_, t)| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Asserts a failed run: non-zero exit, one line on stderr naming `name`
/// and containing `reason`, nothing that looks like a panic.
fn assert_one_line_failure(out: &Output, name: &str, reason: &str) {
    let err = stderr(out);
    assert!(!out.status.success(), "{name}: should fail; stdout: {}", stdout(out));
    assert_eq!(err.trim_end().lines().count(), 1, "{name}: one line expected: {err}");
    assert!(err.contains(name), "{name} not named: {err}");
    assert!(err.contains(reason), "{name}: reason {reason:?} missing: {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
}

fn check_json(dir: &Path) -> Vec<serde_json::Value> {
    let out = qmbot(&["check", "--json", "--data", s(dir)], "");
    assert!(out.status.success(), "check failed: {}", stderr(&out));
    serde_json::from_str::<serde_json::Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The 2025 notice's national theme, Zhejiang's own theme and its 15
/// national slogans, as `check --json` reports them for `file`.
fn assert_themes_and_slogans_of_2025(r: &serde_json::Value, file: &str) {
    assert_eq!(
        r["themes"],
        serde_json::json!(["夯实质量基础 共享品质生活", "浙里品质 匠心智造"]),
        "{file}: {r}"
    );
    assert_eq!(
        r["slogan_lists"],
        serde_json::json!([{"scope": "全国", "count": 15}]),
        "{file}: {r}"
    );
}

/// Imports `file` into a copy of data/ and checks the entry, the answers,
/// the check report and that a second import is refused.
fn import_and_answer(file: &str) {
    let dir = data_copy();
    let catalog_before = std::fs::read_to_string(dir.path().join("catalog.toml")).unwrap();
    let input = fixture(file);

    // Without --write: the proposed entry and a summary; nothing changes.
    let out = qmbot(&["import", "--data", s(dir.path()), s(&input)], "");
    assert!(out.status.success(), "{file}: {}", stderr(&out));
    let shown = stdout(&out);
    for want in [
        "[[notice]]",
        "year = 2025",
        "doc_number = \"国市监质发〔2025〕88号\"",
        "date = 2025-08-18",
        "title = \"市场监管总局等26个部门关于开展2025年全国“质量月”活动的通知\"",
        "夯实质量基础 共享品质生活",
        "15 slogans",
    ] {
        assert!(shown.contains(want), "{file}: {want:?} not in the proposal:\n{shown}");
    }
    let catalog_after = std::fs::read_to_string(dir.path().join("catalog.toml")).unwrap();
    assert_eq!(
        catalog_before, catalog_after,
        "{file}: import without --write changed the catalog"
    );
    assert!(!dir.path().join("2025-notice.txt").exists());

    // With --write: the text file and the entry.
    let out = qmbot(&["import", "--data", s(dir.path()), "--write", s(&input)], "");
    assert!(out.status.success(), "{file}: {}", stderr(&out));
    let catalog = std::fs::read_to_string(dir.path().join("catalog.toml")).unwrap();
    assert!(
        catalog.starts_with(&catalog_before),
        "{file}: the catalog was rewritten"
    );
    let entry = &catalog[catalog_before.len()..];
    assert!(entry.contains("file = \"2025-notice.txt\""), "{entry}");
    assert!(entry.contains("year = 2025"), "{entry}");
    assert!(entry.contains("doc_number = \"国市监质发〔2025〕88号\""), "{entry}");
    let text = std::fs::read_to_string(dir.path().join("2025-notice.txt")).unwrap();
    assert!(
        !text.contains("<script") && !text.contains("ICP") && !text.contains("首页"),
        "{file}: page furniture kept"
    );

    // The bot answers from it, with citations of 2025.
    let questions = "2025年质量月的主题是什么？\n2025年广东省质量月开展了哪些活动\n2025年质量月口号有哪些\n";
    let out = qmbot(&["ask", "--json", "--data", s(dir.path())], questions);
    assert!(out.status.success(), "{file}: {}", stderr(&out));
    let answers: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.len(), 3);
    let expected: [&[&str]; 3] = [&["夯实质量基础 共享品质生活"], &["湾区标准", "广东省质量大会"], &[]];
    for (a, want) in answers.iter().zip(expected) {
        let q = a["question"].as_str().unwrap();
        assert_eq!(a["found"], true, "{file}: {q}: {a}");
        let answer = a["answer"].as_str().unwrap();
        for w in want {
            assert!(answer.contains(w), "{file}: {q}: {w} missing: {answer}");
        }
        let c = &a["citations"][0];
        assert_eq!(c["year"], 2025, "{file}: {q}: {c}");
        assert_eq!(c["file"], "2025-notice.txt", "{file}: {q}: {c}");
        assert_eq!(c["doc_number"], "国市监质发〔2025〕88号", "{file}: {q}: {c}");
    }
    let slogans = answers[2]["answer"].as_str().unwrap();
    let all = source_slogans();
    assert_eq!(all.len(), 15);
    for slogan in &all {
        assert!(
            slogans.contains(slogan.as_str()),
            "{file}: slogan {slogan} missing: {slogans}"
        );
    }

    // check --json reports the theme, the 15 slogans and the bodies.
    let reports = check_json(dir.path());
    assert_eq!(reports.len(), 6);
    let r = reports.iter().find(|r| r["file"] == "2025-notice.txt").unwrap();
    assert_eq!(r["year"], 2025);
    assert_themes_and_slogans_of_2025(r, file);
    assert_eq!(
        r["items"],
        serde_json::json!({"ministry": 13, "association": 4, "region": 14, "city": 0}),
        "{file}: {r}"
    );
    assert_eq!(r["warnings"], serde_json::json!([]), "{file}: {r}");

    // Importing again is refused, in one line naming the file.
    let out = qmbot(&["import", "--data", s(dir.path()), "--write", s(&input)], "");
    assert_one_line_failure(&out, "2025-notice.txt", "already exists");
    assert_eq!(
        catalog,
        std::fs::read_to_string(dir.path().join("catalog.toml")).unwrap()
    );
}

#[test]
fn a_pdf_with_an_embedded_cjk_font_and_broken_lines_is_imported_and_answered() {
    import_and_answer("notice.pdf");
}

#[test]
fn a_docx_with_automatic_numbering_is_imported_and_answered() {
    import_and_answer("notice.docx");
}

#[test]
fn a_web_page_with_scripts_navigation_and_footer_is_imported_and_answered() {
    import_and_answer("notice.html");
}

#[test]
fn the_same_notice_from_another_file_is_refused_by_its_catalog_entry() {
    let dir = data_copy();
    let out = qmbot(
        &["import", "--data", s(dir.path()), "--write", s(&fixture("notice.pdf"))],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Another name, so no file is in the way: the entry with the same document number is.
    let other = dir.path().join("2025年质量月通知.html");
    std::fs::copy(fixture("notice.html"), &other).unwrap();
    let out = qmbot(&["import", "--data", s(dir.path()), "--write", s(&other)], "");
    assert_one_line_failure(&out, "catalog.toml", "already has an entry for this notice");
    assert!(!dir.path().join("2025-2025年质量月通知.txt").exists());
    assert!(!dir.path().join("2025年质量月通知.txt").exists());
}

#[test]
fn a_pdf_with_a_non_embedded_cid_font_is_imported() {
    // STSong-Light with the predefined CMap UniGB-UCS2-H: pdf-extract panics
    // on it; import reads it itself.
    let dir = data_copy();
    let out = qmbot(
        &[
            "import",
            "--data",
            s(dir.path()),
            "--write",
            s(&fixture("cid-nonembedded.pdf")),
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let reports = check_json(dir.path());
    let r = reports
        .iter()
        .find(|r| r["file"] == "2025-cid-nonembedded.txt")
        .unwrap();
    assert_themes_and_slogans_of_2025(r, "cid-nonembedded.pdf");
    assert_eq!(r["items"]["region"], 14, "{r}");
    let out = qmbot(
        &[
            "ask",
            "--json",
            "--data",
            s(dir.path()),
            "2025年北京市质量月开展了什么活动",
        ],
        "",
    );
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(a["answer"].as_str().unwrap().contains("京品质量云课堂"), "{a}");
    assert_eq!(a["citations"][0]["year"], 2025, "{a}");
}

#[test]
fn a_pdf_with_only_an_owner_password_is_imported() {
    let out = qmbot(&["import", s(&fixture("owner-password.pdf"))], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("doc_number = \"国市监质发〔2025〕88号\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_files_fail_with_one_line_naming_the_file_and_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let broken_docx = tmp.path().join("broken.docx");
    std::fs::write(&broken_docx, b"PK\x03\x04 this is not a zip archive").unwrap();
    let truncated_pdf = tmp.path().join("truncated.pdf");
    let pdf = std::fs::read(fixture("notice.pdf")).unwrap();
    std::fs::write(&truncated_pdf, &pdf[..4000]).unwrap();
    let old_word = tmp.path().join("notice.doc");
    std::fs::write(&old_word, b"\xd0\xcf\x11\xe0").unwrap();
    let empty_page = tmp.path().join("empty.html");
    std::fs::write(
        &empty_page,
        "<html><body><nav>首页</nav><script>x()</script></body></html>",
    )
    .unwrap();
    let cases: Vec<(PathBuf, &str, &str)> = vec![
        (fixture("encrypted.pdf"), "encrypted.pdf", "encrypted"),
        (fixture("image-only.pdf"), "image-only.pdf", "no text"),
        (fixture("no-unicode-map.pdf"), "no-unicode-map.pdf", "no Unicode map"),
        (broken_docx, "broken.docx", "broken zip"),
        (truncated_pdf, "truncated.pdf", "not a readable PDF"),
        (old_word, "notice.doc", "unsupported file type .doc"),
        (empty_page, "empty.html", "no text found"),
        (tmp.path().join("missing.pdf"), "missing.pdf", "cannot read it"),
    ];
    for (path, name, reason) in cases {
        let out = qmbot(&["import", "--data", s(tmp.path()), "--write", s(&path)], "");
        assert_one_line_failure(&out, name, reason);
    }
    // Nothing was written.
    assert!(!tmp.path().join("catalog.toml").exists());
}

#[test]
fn year_override_and_a_new_data_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = qmbot(
        &[
            "import",
            "--data",
            s(tmp.path()),
            "--year",
            "2026",
            "--write",
            s(&fixture("notice.html")),
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let catalog = std::fs::read_to_string(tmp.path().join("catalog.toml")).unwrap();
    assert!(
        catalog.contains("file = \"2026-notice.txt\"") && catalog.contains("year = 2026"),
        "{catalog}"
    );
    // The new corpus loads as the bot loads it.
    let reports = check_json(tmp.path());
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["year"], 2026);
    assert!(
        reports[0]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Quality Month 2025"),
        "{}",
        reports[0]
    );
}

#[test]
fn check_reports_every_shipped_notice() {
    let out = qmbot(&["check", "--json"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = v.as_array().unwrap();
    assert_eq!(reports.len(), 5);
    for r in reports {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "file",
                "items",
                "passages",
                "slogan_lists",
                "themes",
                "title",
                "warnings",
                "year"
            ],
            "{r}"
        );
        assert!(r["passages"].as_u64().unwrap() > 0, "{r}");
        for k in ["ministry", "association", "region", "city"] {
            assert!(r["items"][k].is_u64(), "{r}");
        }
    }
    let r2019 = reports.iter().find(|r| r["year"] == 2019).unwrap();
    assert_eq!(r2019["themes"], serde_json::json!(["共创中国质量 建设质量强国"]));
    assert_eq!(
        r2019["slogan_lists"],
        serde_json::json!([{"scope": "全国", "count": 15}])
    );

    let out = qmbot(&["check"], "");
    assert!(out.status.success());
    let plain = stdout(&out);
    assert!(plain.contains("slogan list (福建省): 16 slogans"), "{plain}");
    assert!(plain.contains("5 notices"), "{plain}");
}

#[test]
fn check_fails_in_one_line_on_a_catalog_naming_a_missing_file() {
    let dir = data_copy();
    let mut catalog = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join("catalog.toml"))
        .unwrap();
    writeln!(
        catalog,
        "\n[[notice]]\nfile = \"2026-missing.txt\"\nyear = 2026\ntitle = \"x\""
    )
    .unwrap();
    let out = qmbot(&["check", "--data", s(dir.path())], "");
    assert_one_line_failure(&out, "2026-missing.txt", "file not found");
    assert!(stderr(&out).contains("catalog.toml"), "{}", stderr(&out));
    // import --write refuses to add to a broken catalog, too.
    let out = qmbot(
        &["import", "--data", s(dir.path()), "--write", s(&fixture("notice.docx"))],
        "",
    );
    assert_one_line_failure(&out, "2026-missing.txt", "file not found");
    let out = qmbot(&["check", "--data", s(&dir.path().join("nowhere"))], "");
    assert_one_line_failure(&out, "nowhere", "data directory not found");
}
