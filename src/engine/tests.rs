//! Engine tests over odd notice texts.

use super::*;

fn notice(year: i32) -> Notice {
    Notice {
        file: format!("{year}.txt"),
        year,
        title: format!("{year}年通知"),
        issuer: Some("福建省某办公室".to_string()),
        doc_number: None,
        date: None,
        source_url: None,
    }
}

#[test]
fn odd_notice_texts_do_not_panic() -> Result<()> {
    let texts = [
        "",
        "附件9",
        "主题：",
        "口号：",
        "一、活动主题",
        "我省“质量月”活动主题确定为“质量第一 效益优先”",
        "附件2\n\n口号\n\n- 1.\n- 2.质量\n\n附件3\n\n一、福州市",
        "\t\t\n<p>\n十、\n（一）\n1.\n",
    ];
    let notices: Vec<Notice> = (0..texts.len()).map(|i| notice(2000 + i as i32)).collect();
    let texts: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    let engine = Engine::from_texts(notices, &texts)?;
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for q in [
        "2005年主题",
        "2006年口号",
        "福建2005年主题",
        "2007年福州市",
        "质量",
        "",
        "2000年各地",
    ] {
        let a = engine.answer(q, day);
        assert!(!a.to_plain().is_empty());
    }
    assert!(engine.answer("2005年质量月主题", day).found);
    Ok(())
}
