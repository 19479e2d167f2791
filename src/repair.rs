//! Repairs the wrong glyphs that some PDF extractions produce (the 2017
//! notice: 収 for 发, 觃 for 规, ‚‛ for “”, …). The raw files stay untouched;
//! the repair runs at ingest on every notice, so a new notice from the same
//! kind of PDF is repaired without code changes.
//!
//! Two tables: phrases first (context-dependent glyphs such as 事, which is a
//! wrong 二 in 第事届 but a real 事 elsewhere), then single characters that
//! never appear in correct notice text.

/// Context-dependent repairs, applied before the character table.
const PHRASES: &[(&str, &str)] = &[
    ("第事届", "第二届"),
    ("一类、事类", "一类、二类"),
    ("龙失企业", "龙头企业"),
    ("龙失", "龙头"),
];

/// One-to-one character repairs (wrong glyph, right character).
const CHARS: &[(char, char)] = &[
    ('収', '发'),
    ('觃', '规'),
    ('栺', '格'),
    ('敁', '效'),
    ('挃', '指'),
    ('牉', '牌'),
    ('釐', '金'),
    ('乢', '书'),
    ('仸', '任'),
    ('厇', '厉'),
    ('彔', '录'),
    ('夰', '失'),
    ('幵', '并'),
    ('亊', '事'),
    ('敀', '故'),
    ('昡', '春'),
    ('\u{201A}', '“'),
    ('\u{201B}', '”'),
];

/// Returns `text` with the known wrong glyphs replaced.
pub fn repair(text: &str) -> String {
    let mut out = text.to_string();
    for (wrong, right) in PHRASES {
        if out.contains(wrong) {
            out = out.replace(wrong, right);
        }
    }
    out.chars()
        .map(|c| {
            CHARS
                .iter()
                .find(|(wrong, _)| *wrong == c)
                .map_or(c, |(_, right)| *right)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn single_glyphs_are_repaired() {
        assert_eq!(repair("开展‚釐融知识普及月‛活动"), "开展“金融知识普及月”活动");
        assert_eq!(repair("公共图乢馆评估"), "公共图书馆评估");
        assert_eq!(repair("质量収展纲要"), "质量发展纲要");
        assert_eq!(repair("严栺觃范"), "严格规范");
        assert_eq!(repair("完善夰信行为记彔"), "完善失信行为记录");
        assert_eq!(repair("品牉敀亊演讲比赛"), "品牌故事演讲比赛");
        assert_eq!(repair("严厇打击"), "严厉打击");
        assert_eq!(repair("报告》幵向社会"), "报告》并向社会");
    }

    #[test]
    fn context_dependent_glyphs_are_repaired() {
        assert_eq!(repair("的第事届中国质量（上海）大会"), "的第二届中国质量（上海）大会");
        assert_eq!(repair("国家级一类、事类竞赛"), "国家级一类、二类竞赛");
        assert_eq!(repair("依托农业龙失企业"), "依托农业龙头企业");
    }

    #[test]
    fn correct_text_is_unchanged() {
        let clean = "市场监管总局等事项通知如下：一、活动主题 失信惩戒";
        assert_eq!(repair(clean), clean);
    }

    #[test]
    fn the_2017_notice_is_clean_after_repair() {
        let raw = include_str!("../data/2017-main-activities.txt");
        let fixed = repair(raw);
        for bad in [
            '収', '觃', '栺', '敁', '挃', '牉', '釐', '乢', '仸', '厇', '彔', '夰', '幵', '\u{201A}', '\u{201B}',
        ] {
            assert!(!fixed.contains(bad), "{bad} left in the repaired 2017 text");
        }
        assert!(fixed.contains("金融知识普及月"));
        assert!(fixed.contains("第二届中国质量（上海）大会"));
        assert!(fixed.contains("龙头企业"));
    }
}
