//! `qmbot ask` run as a real process: plain text, JSON, stdin batches,
//! malformed questions, and operational errors.

mod common;

use common::process::qmbot;

/// A temporary data directory holding `files` (name, content).
/// One JSON object per line of `stdout`.
fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn data_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    dir
}

#[test]
fn ask_prints_the_reply_with_sources() {
    let out = qmbot(&["ask", "2024年质量月的主题是什么？"], "");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("加强质量支撑"), "{text}");
    assert!(text.contains("出处"), "{text}");
    assert!(text.contains("附件4"), "{text}");
}

#[test]
fn ask_json_has_the_contract_fields() {
    let out = qmbot(&["ask", "--json", "2019年人民银行质量月活动"], "");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["question"], "2019年人民银行质量月活动");
    assert_eq!(v["found"], true);
    assert!(v["answer"].as_str().unwrap().contains("金融标准"));
    let c = &v["citations"][0];
    assert_eq!(c["year"], 2019);
    assert_eq!(c["doc_number"], "国市监质〔2019〕162号");
    for key in ["title", "section", "file", "snippet"] {
        assert!(c[key].is_string(), "{key} missing in {c}");
    }
}

#[test]
fn ask_json_reads_stdin_one_object_per_question_in_order() {
    let input = "2024年质量月口号\n\n2021年质量月主题\n😀\nAND (\ntitle:*\n<b>x</b>\n";
    let out = qmbot(&["ask", "--json"], input);
    assert!(out.status.success());
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["question"], "2024年质量月口号");
    assert_eq!(lines[0]["found"], true);
    assert_eq!(lines[1]["found"], false);
    assert!(lines[1]["answer"].as_str().unwrap().contains("2024"));
    for l in &lines[2..] {
        assert_eq!(l["found"], false, "{l}");
        assert!(!l["answer"].as_str().unwrap().is_empty());
    }
}

#[test]
fn malformed_questions_exit_zero() {
    // An argument is limited to 128 KiB by the kernel; 30 000 汉字 is 90 KB.
    let long = "质".repeat(30_000);
    for q in [
        "",
        "\u{7}\u{1b}[31m",
        "🎉🎉",
        "AND (",
        "title:*",
        "<script>alert(1)</script>",
        long.as_str(),
    ] {
        let out = qmbot(&["ask", "--json", q], "");
        assert!(out.status.success(), "{q:?}: {:?}", out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["answer"].is_string());
    }
    // 100 KB on one stdin line.
    let huge = format!("{}\n", "质量月".repeat(12_000));
    let out = qmbot(&["ask", "--json"], &huge);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["answer"].is_string());
}

#[test]
fn missing_data_directory_is_one_clear_line() {
    let out = qmbot(&["ask", "--data", "/nonexistent/qmbot-data", "2024年主题"], "");
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/qmbot-data"), "{err}");
}

#[test]
fn bad_catalog_entry_names_the_file_and_problem() {
    let dir = data_dir(&[(
        "catalog.toml",
        "[[notice]]\nfile = \"missing.txt\"\nyear = 2024\ntitle = \"x\"\n",
    )]);
    let out = qmbot(&["ask", "--data", dir.path().to_str().unwrap(), "2024年主题"], "");
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("catalog.toml") && err.contains("missing.txt"), "{err}");
}

#[test]
fn a_new_notice_is_a_data_change_only() {
    let text = "附件2\n\n2030年全国“质量月”活动口号\n\n主题：\n\n质量引领未来 共创美好生活\n\n口号：\n\n1.测试口号甲 推进质量发展\n2.测试口号乙 建设质量强国\n\n附件3\n\n2030年全国“质量月”各地开展的主要活动\n\n一、北京市举办2030年质量嘉年华活动。\n";
    let dir = data_dir(&[
        ("n2030.txt", text),
        (
            "catalog.toml",
            "[[notice]]\nfile = \"n2030.txt\"\nyear = 2030\ntitle = \"2030年质量月通知\"\ndoc_number = \"国市监质〔2030〕1号\"\ndate = \"2030-08-20\"\n",
        ),
    ]);
    let d = dir.path().to_str().unwrap();
    let out = qmbot(
        &["ask", "--json", "--data", d],
        "2030年质量月主题\n2030年口号\n2030年北京市质量月活动\n2030年通知哪天发布\n",
    );
    assert!(out.status.success(), "{out:?}");
    let lines = json_lines(&out.stdout);
    for (line, want) in lines
        .iter()
        .zip(["质量引领未来", "测试口号乙", "质量嘉年华", "2030年8月20日"])
    {
        assert!(line["answer"].as_str().unwrap().contains(want), "{want}: {line}");
    }
    assert_eq!(lines[0]["citations"][0]["doc_number"], "国市监质〔2030〕1号");
}

/// A body the shipped vocabulary does not know (a city, with its English
/// name) is added in the data directory's `lexicon.toml`, without code.
#[test]
fn a_new_body_is_a_lexicon_change_only() {
    let dir = data_dir(&[
        (
            "n2030.txt",
            "附件3\n\n2030年全国“质量月”各地开展的主要活动\n\n一、苏州市举办“苏式精品”质量嘉年华活动，发布质量白皮书。\n",
        ),
        (
            "catalog.toml",
            "[[notice]]\nfile = \"n2030.txt\"\nyear = 2030\ntitle = \"2030年质量月通知\"\n",
        ),
        (
            "lexicon.toml",
            "[[entity]]\nname = \"苏州市\"\nkind = \"city\"\naliases = [\"苏州\"]\nen = [\"suzhou\"]\n",
        ),
    ]);
    let d = dir.path().to_str().unwrap();
    let out = qmbot(
        &["ask", "--json", "--data", d],
        "What did Suzhou do in 2030?\n2030年苏州质量月活动\n",
    );
    assert!(out.status.success(), "{out:?}");
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["found"], true, "{v}");
        assert!(v["answer"].as_str().unwrap().contains("质量嘉年华"), "{v}");
    }
}

#[test]
fn bad_lexicon_names_the_file_and_problem() {
    let dir = data_dir(&[
        ("n.txt", "一、北京市举办质量嘉年华活动。\n"),
        (
            "catalog.toml",
            "[[notice]]\nfile = \"n.txt\"\nyear = 2030\ntitle = \"x\"\n",
        ),
        ("lexicon.toml", "[[entity]]\nname = \"某局\"\nkind = \"bureau\"\n"),
    ]);
    let out = qmbot(&["ask", "--data", dir.path().to_str().unwrap(), "2030年主题"], "");
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("lexicon.toml") && err.contains("bureau"), "{err}");
}

#[test]
fn chat_json_holds_one_conversation() {
    // Year, body, intent and English follow-ups, a writing request in
    // between, and a full question that starts afresh.
    let turns: [(&str, bool, Option<i64>, &[&str]); 13] = [
        ("2023年广东省开展了哪些活动？", true, Some(2023), &["广东开学第一课"]),
        ("江苏呢？", true, Some(2023), &["江苏质量大会"]),
        ("2024年的呢", true, Some(2024), &["苏浙皖赣沪"]),
        ("海关总署呢", true, Some(2024), &["跨境电商"]),
        ("口号呢", true, Some(2024), &["培育新质生产力"]),
        ("主题呢", true, Some(2024), &["加强质量支撑"]),
        ("帮我写一篇质量月演讲稿", false, None, &[]),
        ("那2023年呢？", true, Some(2023), &["增强质量意识"]),
        ("2018年福州开展了哪些活动", true, Some(2018), &["福州市"]),
        ("What about Xiamen?", true, Some(2018), &["质量征文比赛"]),
        ("and 2019?", false, None, &[]),
        ("2019年质量月主题是什么？", true, Some(2019), &["共创中国质量"]),
        ("口号呢", true, Some(2019), &[]),
    ];
    let input: String = turns.iter().map(|(q, ..)| format!("{q}\n")).collect();
    let out = qmbot(&["chat", "--json"], &input);
    assert!(out.status.success());
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), turns.len());
    for ((q, found, year, must), o) in turns.iter().zip(&lines) {
        assert_eq!(o["question"], *q);
        assert_eq!(o["found"], *found, "{q}: {o}");
        let answer: String = o["answer"].as_str().unwrap().split_whitespace().collect();
        for m in *must {
            assert!(answer.contains(m), "{q}: lacks {m}: {answer}");
        }
        if let Some(y) = year {
            let cited = o["citations"].as_array().unwrap().iter().any(|c| c["year"] == *y);
            assert!(cited, "{q}: no citation of {y}: {o}");
        }
    }
    // The same question on its own (`ask`) has no context to inherit.
    let alone = qmbot(&["ask", "--json", "江苏呢？"], "");
    let alone: serde_json::Value = serde_json::from_slice(&alone.stdout).unwrap();
    assert_ne!(alone["answer"], lines[1]["answer"]);
}

#[test]
fn stats_before_the_bot_ever_ran_is_an_empty_report() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("never.sqlite3");
    let config = dir.path().join("qmbot.toml");
    std::fs::write(
        &config,
        format!("[storage]\npath = {:?}\n", state.display().to_string()),
    )
    .unwrap();
    let out = qmbot(&["stats", "--config", config.to_str().unwrap()], "");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("今天：0 个问题"), "{text}");
    assert!(text.contains("还没有状态文件"), "{text}");
    assert!(!state.exists(), "stats creates no state file");
}

#[test]
fn a_reader_that_stops_reading_ends_the_output_quietly() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_qmbot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["bench", "--questions", "tests/dev.jsonl", "--rounds", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the first line is written (`| head -0`):
    // the corpus alone takes longer to load than this.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
}
