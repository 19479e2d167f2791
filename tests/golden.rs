//! The dev question set over the real `data/`: `found` as expected, every
//! `must` phrase in the reply (whitespace ignored), and a citation of the
//! expected year. The assert message names the question.

use qmbot::Engine;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data")).expect("corpus loads"));

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Checks one question the way `score.py` does.
fn check(q: &str, found: bool, year: Option<i64>, must: &[&str]) {
    let a = ENGINE.answer(q, today());
    let text = compact(&a.to_plain());
    assert_eq!(a.found, found, "{q}: found should be {found}; reply: {text}");
    if !found {
        assert!(
            text.contains("2024"),
            "{q}: a not-found reply lists the years covered: {text}"
        );
        return;
    }
    for m in must {
        assert!(text.contains(&compact(m)), "{q}: reply lacks {m:?}: {text}");
    }
    if let Some(y) = year {
        assert!(
            a.citations.iter().any(|c| i64::from(c.year) == y),
            "{q}: no citation of {y}: {:?}",
            a.citations
        );
    }
}

#[test]
fn dev_set_passes() {
    let dev = include_str!("dev.jsonl");
    let mut n = 0;
    for line in dev.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("dev line is JSON");
        let q = v["q"].as_str().expect("q");
        let found = v.get("found").and_then(|f| f.as_bool()).unwrap_or(true);
        let must: Vec<&str> = v
            .get("must")
            .and_then(|m| m.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        check(q, found, v.get("year").and_then(|y| y.as_i64()), &must);
        n += 1;
    }
    assert_eq!(n, 28);
}

/// Other wording and other facts of the same kinds as the dev set.
#[test]
fn more_questions_of_the_same_kinds() {
    let cases: &[(&str, bool, Option<i64>, &[&str])] = &[
        (
            "2023年广东省开展了哪些活动？",
            true,
            Some(2023),
            &["广东开学第一课", "首席质量官大赛"],
        ),
        (
            "2024年的主题和口号？",
            true,
            Some(2024),
            &["加强质量支撑", "全民讲质量"],
        ),
        ("今年海关总署做什么？", false, None, &[]),
        ("2024年海关总署做什么", true, Some(2024), &["跨境电商进口消费品"]),
        ("2019年质量月的主题", true, Some(2019), &["共创中国质量 建设质量强国"]),
        (
            "What was the theme of Quality Month 2023?",
            true,
            Some(2023),
            &["增强质量意识"],
        ),
        ("2024 Guangdong Quality Month activities", true, Some(2024), &["优粤行"]),
        ("二〇二四年质量月口号", true, Some(2024), &["塑造中国品牌"]),
        ("2023年質量月的主題是什麼", true, Some(2023), &["推进高质量发展"]),
        ("2023年工信部质量月做了什么", true, Some(2023), &["中国制造"]),
        ("2019年国资委质量月", true, Some(2019), &["第二届中央企业"]),
        ("2024年中国饭店协会", true, Some(2024), &["美食节"]),
        ("2023年兵团质量月活动", true, Some(2023), &["卓越质量兵团行"]),
        ("粤2024年质量月", true, Some(2024), &["铁拳护心守护团圆"]),
        ("2018年泉州市质量月活动", true, Some(2018), &["质量泉州"]),
        ("2018年厦门质量月", true, Some(2018), &["质量服务进园区"]),
        ("2017年金融知识普及月", true, Some(2017), &["金融知识普及月"]),
        ("2017年公共图书馆评估", true, Some(2017), &["公共图书馆评估定级"]),
        ("2017年中国质量（上海）大会的主题", true, Some(2017), &["改善供给"]),
        ("2023年产品质量国家监督抽查覆盖多少种产品", true, Some(2023), &["142"]),
        ("2019年通知的文号", true, Some(2019), &["国市监质〔2019〕162号"]),
        ("2018年福建质量月主题", true, Some(2018), &["建设质量强省"]),
        ("2023年质量月联系人", true, Some(2023), &["蔡煜刚"]),
        ("最近一次质量月的主题", true, Some(2024), &["共建质量强国"]),
        ("去年质量月主题", false, None, &[]),
        ("2020年质量月口号", false, None, &[]),
        ("2017年质量月口号", false, None, &[]),
        ("2019年广东省质量月活动", false, None, &[]),
        ("2017年林业局质量月做了什么", true, Some(2017), &["林产品质量工作会"]),
        (
            "2017年供销社质量月做了什么",
            true,
            Some(2017),
            &["供销合作社品牌宣传平台"],
        ),
        ("2019年质量月由多少个部门联合开展", true, Some(2019), &["14个部门"]),
        ("2023年有几个部门参加质量月", true, Some(2023), &["25个部门"]),
        ("2023年皖质量月活动", true, Some(2023), &["世界制造业大会"]),
        ("2023年鲁质量月活动", true, Some(2023), &["好品山东"]),
        ("2023年福建质量月口号", false, None, &[]),
        ("2019年质量月通知哪天印发的", true, Some(2019), &["2019年8月23日"]),
        ("2018年全国质量月通知文号", true, Some(2018), &["国市监质〔2018〕131号"]),
        ("2024年质量月的主旨", true, Some(2024), &["加强质量支撑"]),
        // A heading of the notice names what stands under it; attachments are listed.
        (
            "2023年质量月的重点安排有哪些",
            true,
            Some(2023),
            &["（一）举办中国质量（成都）大会。", "（九）推动基层群众性质量活动。"],
        ),
        (
            "2019年质量月活动有哪些要求",
            true,
            Some(2019),
            &["（三）服务大局，确保实效。"],
        ),
        (
            "2019年通知有几个附件",
            true,
            Some(2019),
            &["2019 年全国“质量月”活动统一标志"],
        ),
        ("质量月活动要求企业参加吗", true, None, &["不得强制企业参与活动"]),
        ("一九年质量月的口号都有啥", true, Some(2019), &["中国质量 共创共享"]),
        (
            "2018年全国质量月那份通知的发文字号是多少？",
            true,
            Some(2018),
            &["国市监质〔2018〕131号"],
        ),
        (
            "质量月群众性质量活动要弘扬哪几种精神",
            true,
            None,
            &["劳模精神、劳动精神、工匠精神"],
        ),
        ("第五届中国质量奖获奖企业名单有哪些", false, None, &[]),
        // A region's theme compared with the national one: both.
        (
            "2018年福建的主题和全国的主题有什么区别",
            true,
            Some(2018),
            &["建设质量强省", "建设质量强国"],
        ),
        (
            "2019年质量月主办单位有哪些",
            true,
            Some(2019),
            &["国家市场监督管理总局、中央宣传部"],
        ),
        ("2023年质量月活动有问题找谁联系？", true, Some(2023), &["蔡煜刚"]),
        (
            "2018年质量月期间的农业质量年",
            true,
            Some(2018),
            &["确定2018年为“农业质量年”"],
        ),
        ("2019年质量月统一标志是什么颜色", true, Some(2019), &["PANTONE 5216C"]),
        ("2023年中国质量大会在哪里举办", true, Some(2023), &["成都"]),
        ("2024年中国质量奖颁奖仪式在哪个城市举行", false, None, &[]),
        ("2024年消费者权益日主题是什么", false, None, &[]),
        ("食品安全宣传周主题", false, None, &[]),
        ("帮我写一条质量月宣传口号", false, None, &[]),
        ("2019年教育部质量月活动", false, None, &[]),
        ("2023年福建省质量月的活动主题是什么", false, None, &[]),
        (
            "How many departments jointly organised Quality Month 2023?",
            true,
            Some(2023),
            &["25个部门"],
        ),
        (
            "What did the China Hotel Association do in 2024?",
            true,
            Some(2024),
            &["美食节"],
        ),
        (
            "Which document on water resources was issued in 2017?",
            true,
            Some(2017),
            &["水利工程质量监督导则"],
        ),
        (
            "What did the Xinjiang Production and Construction Corps do in 2024?",
            true,
            Some(2024),
            &["棉花收购"],
        ),
        ("Weather in Beijing tomorrow", false, None, &[]),
        ("Hong Kong 2023", false, None, &[]),
        ("今天天气怎么样", false, None, &[]),
        ("帮我订一张去北京的机票", false, None, &[]),
    ];
    for (q, found, year, must) in cases {
        check(q, *found, *year, must);
    }
}

#[test]
fn slogan_lists_are_complete_and_marked() {
    let lists = ENGINE.slogan_lists();
    let count = |y: i32, scope: &str| {
        lists
            .iter()
            .find(|l| l.year == y && l.scope == qmbot::engine::Scope::from(scope))
            .map(|l| l.items.len())
    };
    assert_eq!(count(2024, "全国"), Some(10));
    assert_eq!(count(2023, "全国"), Some(9));
    assert_eq!(count(2019, "全国"), Some(15));
    assert_eq!(count(2018, "福建省"), Some(16));
    assert!(lists.iter().all(|l| l.items.iter().all(|s| !s.contains("删除"))));
}

#[test]
fn the_2017_text_reads_clean() {
    let a = ENGINE.answer("2017年质量月期间水利部门印发了什么文件", today());
    let text = a.to_plain();
    assert!(text.contains("印发《水利工程质量监督导则》"), "{text}");
    for bad in [
        '収', '觃', '栺', '敁', '挃', '牉', '釐', '乢', '仸', '厇', '彔', '夰', '幵', '‚', '‛',
    ] {
        assert!(!text.contains(bad), "{bad} in {text}");
    }
}

#[test]
fn hostile_input_gets_a_reply() {
    let long = "质量".repeat(50_000);
    for q in [
        "",
        "   ",
        "\u{0}\u{1b}[2J",
        "😀🎉",
        "<b>2024</b>年<script>",
        "AND (",
        "title:*",
        "**2024** _主题_",
        &long,
    ] {
        let a = ENGINE.answer(q, today());
        assert!(!a.to_plain().is_empty(), "{q:?} got an empty reply");
    }
}

#[test]
fn a_regional_list_asked_for_every_region() {
    let a = ENGINE.answer("2023年各地开展了哪些活动", today());
    assert!(a.found);
    assert_eq!(a.citations.len(), 32);
    assert!(a.citations.iter().all(|c| c.section.starts_with("附件3")));
}

/// Regression: the 2018 PDF repeats Fuzhou's paragraph after Xiamen's under a
/// bare `福州市` line; it must not become part of Xiamen's item.
#[test]
fn xiamen_item_does_not_carry_fuzhou_text() {
    let a = ENGINE.answer("2018年厦门市质量月活动", today());
    let text = a.to_plain();
    assert!(text.contains("质量服务进园区"), "{text}");
    assert!(!text.contains("吾鼓丰登"), "{text}");
}

/// Issue 7: mechanisms rather than routes. Each case names what it checks.
#[test]
fn general_mechanisms_answer_unanticipated_questions() {
    // A document number names its notice, also without brackets or with [];
    // a national number is found forwarded inside the Fujian notice.
    check(
        "国市监质[2018]131号是什么文件",
        true,
        Some(2018),
        &["国市监质〔2018〕131号"],
    );
    check(
        "国市监质2019162号是哪个通知",
        true,
        Some(2019),
        &["2019年全国“质量月”活动的通知"],
    );
    // Yearless: when the event is held, from the notices' own words.
    check("质量月是几月", true, None, &["9月"]);
    check("质量月什么时候举办", true, None, &["9月"]);
    // A named region with a fact the items never mention falls through to
    // passage search, and the sentence holding the date leads.
    check("2018年福建的质量月总结什么时候报送", true, Some(2018), &["10月12日前"]);
    // "Where" needs a place.
    check("2023年中国质量大会在哪里举办", true, Some(2023), &["成都"]);
}

#[test]
fn numbers_that_are_not_years_do_not_refuse() {
    // `2000种产品` is not the year 2000 (which no notice covers).
    let a = ENGINE.answer("抽查2000种产品是哪一年", today());
    assert!(!compact(&a.to_plain()).contains("2000年"), "{}", a.to_plain());
}

/// A whole new year's notice (fictional, tests/fixtures/2025-notice.txt)
/// added as data only: every question of eval/2025-questions.jsonl holds.
#[test]
fn a_new_years_notice_is_answered_as_data() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().expect("temp dir");
    for e in std::fs::read_dir(format!("{root}/data")).expect("data dir") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dir.path().join(e.file_name())).expect("copy");
    }
    std::fs::copy(
        format!("{root}/tests/fixtures/2025-notice.txt"),
        dir.path().join("2025-notice.txt"),
    )
    .expect("copy fixture");
    let mut catalog = std::fs::read_to_string(dir.path().join("catalog.toml")).expect("catalog");
    catalog.push_str(
        "\n[[notice]]\nfile = \"2025-notice.txt\"\nyear = 2025\n\
         title = \"市场监管总局等26个部门关于开展2025年全国“质量月”活动的通知\"\n\
         issuer = \"国家市场监督管理总局等26个部门\"\ndoc_number = \"国市监质发〔2025〕88号\"\ndate = 2025-08-18\n",
    );
    std::fs::write(dir.path().join("catalog.toml"), catalog).expect("write catalog");
    let engine = Engine::load(dir.path()).expect("corpus with 2025 loads");
    let mut failures = Vec::new();
    let questions = std::fs::read_to_string(format!("{root}/eval/2025-questions.jsonl")).expect("questions");
    for line in questions.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        let q = v["q"].as_str().expect("q");
        let a = engine.answer(q, today());
        let text = compact(&a.to_plain());
        let found = v.get("found").and_then(|f| f.as_bool()).unwrap_or(true);
        let must_ok = v["must"]
            .as_array()
            .is_none_or(|m| m.iter().filter_map(|x| x.as_str()).all(|m| text.contains(&compact(m))));
        let cited = a.citations.iter().any(|c| c.year == 2025);
        if a.found != found || found && !(must_ok && cited) {
            failures.push(format!("{q} -> {text}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn mechanisms_of_the_second_round() {
    // The bodies above a document number issued the notice (also forwarded).
    check(
        "2019年通知是哪些部门联合发的",
        true,
        Some(2019),
        &["中央宣传部", "交通运输部"],
    );
    check(
        "2018年全国质量月通知的联合发文单位",
        true,
        Some(2018),
        &["中国工程院", "国务院参事室"],
    );
    // Everyday words are searched as the notices' words ([synonyms]).
    check("福建要求交几张活动照片", true, Some(2018), &["6张以内"]);
    // A body with something the notices never name is not covered…
    check("2023年广东省质量月奖金是多少", false, None, &[]);
    check("2023年江苏省的天气怎么样", false, None, &[]);
    // …but an unknown verb still asks what the body did.
    check(
        "2019年科技部负责什么",
        true,
        Some(2019),
        &["国家质量基础的共性技术研究与应用"],
    );
    // `多少` wants a count, not a year or a date.
    check(
        "How many people attended the China Quality Conference in Chengdu in 2023?",
        false,
        None,
        &[],
    );
}

#[test]
fn mechanisms_of_the_third_round() {
    // A "who" with only organising verbs asks who runs Quality Month: the
    // notices' opening statements name the bodies.
    check("质量月由谁组织？", true, Some(2023), &["市场监管总局等25个部门"]);
    check(
        "Who organises Quality Month?",
        true,
        Some(2019),
        &["市场监管总局等14个部门"],
    );
    // A count in the unit asked: `多少年` is answered by `20周年`, and
    // `多少钱` by no count of another unit.
    check("2024年缺陷召回制度实施了多少年", true, Some(2024), &["20周年"]);
    check("中国质量奖的获奖企业能拿多少钱", false, None, &[]);
    // A compound is one thing asked about: its parts do not cover a
    // question about something the notices never mention.
    check("拿了中国质量奖能领多少奖金", false, None, &[]);
    // An English question whose words are unknown to the notices but a name.
    check(
        "What's the weather like in Beijing during Quality Month?",
        false,
        None,
        &[],
    );
    check(
        "What did Beijing do in Quality Month 2023?",
        true,
        Some(2023),
        &["北京市"],
    );
}

#[test]
fn mechanisms_of_the_fourth_round() {
    // A quotation names its notice, and so the year, as a document number does.
    check(
        "“提升质量竞争力 共筑质量强国梦”出自哪年的口号",
        true,
        Some(2023),
        &["提升质量竞争力 共筑质量强国梦"],
    );
    // `哪天` wants a day: `2023年9月举办` does not answer it.
    check("2023年中国质量（成都）大会哪天开幕", false, None, &[]);
    // A count of a thing the notices never mention.
    check("质量月启动大会的门票有多少张", false, None, &[]);
    // The verb is worded otherwise in the notice (`颁奖大会`); the thing
    // asked about carries the question.
    check(
        "2018年质量月期间颁发了第几届中国质量奖",
        true,
        Some(2018),
        &["第三届中国质量奖"],
    );
}

#[test]
fn mechanisms_of_the_fifth_round() {
    // `时间节点` asks for a date, as 什么时候 does; it is no content word
    // the passage must hold.
    check(
        "福建2018年要求地方出台实施方案，时间节点是什么",
        true,
        Some(2018),
        &["9月底前完成此项工作"],
    );
    // The printing line is quoted as the notice gives it, with its office.
    check(
        "2019年质量月的通知是哪天印发的",
        true,
        Some(2019),
        &["市场监管总局办公厅", "2019年8月23日印发"],
    );
}

#[test]
fn mechanisms_of_the_sixth_round() {
    // A message of several questions that finds nothing as a whole: each is
    // answered, the later ones going on from the first.
    check(
        "2019年质量月统一标志的标准色和中文字体是什么？做展板要用",
        true,
        Some(2019),
        &["问：", "微软简特黑"],
    );
    // When the first finds nothing, a later one alone is no answer.
    check("质量月是哪一年开始搞的？第一届是什么时候", false, None, &[]);
    // The last attachment of a list ends before the signature, and a
    // question about a notice (`转发通知…带了…附件`) is on topic.
    check(
        "福建那份转发通知一共带了哪几个附件",
        true,
        Some(2018),
        &["4.福建省2018年“质量月”活动情况统计表出处"],
    );
}

#[test]
fn mechanisms_of_the_seventh_round() {
    // A body set aside (`不是福建那个`) is not asked about.
    check(
        "18年全国质量月主题（不是福建那个）",
        true,
        Some(2018),
        &["建设质量强国"],
    );
    // A clause about the asker or a purpose is no content when the rest
    // asks something of its own.
    check(
        "想给学生讲讲，23年质量月主题是啥",
        true,
        Some(2023),
        &["增强质量意识 推进高质量发展"],
    );
    // An edition is of the thing named after it: the notices name the
    // third and the fifth China Quality Award, not the fourth.
    check("第四届中国质量奖是哪年颁的？", false, None, &[]);
    check("第五届中国质量奖是哪年颁的", true, Some(2024), &["第五届中国质量奖"]);
    // An association the notices never name is not answered by the list
    // of those they do, nor by a passage holding its words apart.
    check("24年中国标准化协会质量月做了什么", false, None, &[]);
    check("2024年中国质量协会做了什么", true, Some(2024), &["质量标杆"]);
}

#[test]
fn mechanisms_of_the_eighth_round() {
    // A document number with a theme asked only names the notice.
    check(
        "2018全国质量月活动主题是什么（国市监质〔2018〕131号那个文件）",
        true,
        Some(2018),
        &["加强市场监管 建设质量强国"],
    );
    // A quoted name points at the passages that hold it.
    check(
        "2023年“质量强国有我”主题宣传活动是谁办的",
        true,
        Some(2023),
        &["中国质量报刊社", "湖南广播影视集团"],
    );
    // A national body named without its 中国.
    check(
        "我是中小商业企业协会的新秘书，想知道协会2023年质量月搞过哪些活动",
        true,
        Some(2023),
        &["质量兴企"],
    );
}

#[test]
fn mechanisms_of_the_ninth_round() {
    // The office that printed a notice names it too.
    check(
        "2019年总局办公厅哪天印发的通知",
        true,
        Some(2019),
        &["2019年8月23日印发"],
    );
    // What a body did answers neither a fact of the notice nor the winners
    // of an award.
    check(
        "2024年质量月市场监管总局的联系人和电话是什么？我要报送总结",
        false,
        None,
        &[],
    );
    check("2023年江苏省长质量奖颁给了哪几家企业", false, None, &[]);
    // The association of the asker's own clause is not what is asked.
    check(
        "我是个体劳动者协会的秘书，2024质量月针对个体工商户有什么工作安排？",
        true,
        Some(2024),
        &["名特优新"],
    );
}

#[test]
fn mechanisms_of_the_tenth_round() {
    // A request to list (`列一下`) asks nothing of its own: the question
    // before it is answered, not split into a second question with no answer.
    let q = "17年重点抓哪些行业产品的质量提升？列一下";
    check(q, true, Some(2017), &["妇幼用品"]);
    let text = ENGINE.answer(q, today()).to_plain();
    assert!(!text.contains("问："), "{q}: answered as one question: {text}");
    // A later part that asks nothing is left out of a split reply.
    let q = "中国质量奖颁奖也是放在质量月里吗？谢谢？最近一届是第几届？";
    let text = ENGINE.answer(q, today()).to_plain();
    assert!(text.contains("问：最近一届是第几届"), "{q}: {text}");
    assert!(!text.contains("问：谢谢"), "{q}: {text}");
    // A national body named as the notice's issuer says which notice; the
    // question asks that notice's theme, not the body's activities.
    check(
        "2019年市场监管总局等部门联合发的质量月通知里，活动主题是什么？",
        true,
        Some(2019),
        &["共创中国质量 建设质量强国"],
    );
    let a = ENGINE.answer(
        "2019年市场监管总局等部门联合发的质量月通知里，活动主题是什么？",
        today(),
    );
    assert!(!a.to_plain().contains("开展的主要活动"), "{}", a.to_plain());
}

#[test]
fn mechanisms_of_the_eleventh_round() {
    // "Where" is answered by a sentence about what the question names that
    // names a place or an office the question does not: a notice that only
    // announces an event does not say where it was held.
    check("2019年全国导游大赛决赛是在哪个城市举行的？", false, None, &[]);
    check("2023年质量月中国质量大会在哪个城市召开", true, Some(2023), &["成都"]);
    check("2019年质量月的总结和视频要交到哪里", true, Some(2019), &["质量发展局"]);
    // Nor is the city the question already names an answer to "which venue".
    check("2023年中国质量（成都）大会在成都哪个地方开", false, None, &[]);
    // A count in the unit asked is a fact an item states (`3000 册`).
    check("泉州2018年编发的城市宣传画册有多少册", true, Some(2018), &["3000"]);
    // An outcome (who came first, who was chosen) is not in an item that
    // only announces the contest.
    check("2023年安徽省质量品牌知识竞赛的冠军是哪个单位", false, None, &[]);
    // `什么地方标准` asks for a standard, not for a place.
    check("上海市2023年质量月发布了什么地方标准", true, Some(2023), &["地方标准"]);
}

#[test]
fn mechanisms_of_the_twelfth_round() {
    // "Who" is answered by a sentence that names a body, or by a body's
    // item: the logo's colour table says nothing of who designed it.
    check("2019年质量月的统一标志是谁设计的", false, None, &[]);
    check(
        "2023年进出口商品质量安全风险专项监测由哪个部门负责",
        true,
        Some(2023),
        &["海关总署"],
    );
    // Who was selected, asked after the verb, is an outcome no notice lists.
    check("2024年入选全国质量标杆的企业名单有哪些", false, None, &[]);
    // How to do what the notices never name (`报名`) is not covered, even
    // where the activity is; how the notice put a thing is.
    check("2023年上海质量月的质量开放日怎么报名", false, None, &[]);
    check(
        "宁夏2023年质量月发布的成果是怎么概括的",
        true,
        Some(2023),
        &["六新六特六优"],
    );
    // A region set aside is not answered with: 2018 has no national slogans,
    // and Fujian's are not asked for.
    check("2018年质量月的口号有哪些？除了福建省的", false, None, &[]);
    check(
        "2018年质量月主题，不要福建省自己那个",
        true,
        Some(2018),
        &["建设质量强国"],
    );
    // A kind of event (`认证类宣传周`) is no other event's name.
    check("2023年有什么认证类宣传周活动", true, Some(2023), &["有机产品认证"]);
    // `有没有协会` names no association the notices lack.
    check(
        "18年质量月有没有协会搞过进职业院校的公益活动",
        true,
        Some(2018),
        &["走进职业院校"],
    );
    // The members of a set an item only names (`发布一批“江苏精品”`) are not
    // in the notices; the item still answers what was published.
    check("江苏2023年那批“江苏精品”分别是哪些产品", false, None, &[]);
    check("2023年江苏发布的“江苏精品”是什么", true, Some(2023), &["江苏精品"]);
    // A clause the next one refers back to (`…，那年…`) sets the scene: its
    // body and words are not what is asked.
    check(
        "2023年是质量强国建设纲要印发后的第一年，那年全国质量月的主题是什么",
        true,
        Some(2023),
        &["增强质量意识"],
    );
}

#[test]
fn mechanisms_of_the_thirteenth_round() {
    // Whom a notice is copied to is in the notice, and answers a question
    // in its words (jieba's `抄/送给了` read as `抄送/给了`) …
    check(
        "2019年质量月通知抄送给了哪些单位",
        true,
        Some(2019),
        &["国家知识产权局"],
    );
    // … but not a question about what a body it names did.
    check("2019年国家知识产权局在质量月开展了什么活动", false, None, &[]);
    // Colloquial asking words (`干嘛`) are no content the notices lack.
    check("2017年质量月里的清风行动是干嘛的", true, Some(2017), &["清风行动"]);
    // The body that leads the month says which month, not whose item.
    check(
        "2018年市场监管总局牵头的质量月主题是啥",
        true,
        Some(2018),
        &["加强市场监管"],
    );
    // In a year that lost who did what, a passage naming a body answers a
    // particular question only if it holds what is asked.
    check(
        "2017质量月期间质检总局会同部际联席会议成员单位要搞什么考核",
        true,
        Some(2017),
        &["省级政府工作考核"],
    );
    // A request to write that a later clause asks after is why the
    // question is asked; a request alone is still declined.
    check(
        "老师让写篇关于2019年质量月的小论文，那年活动主题是什么",
        true,
        Some(2019),
        &["共创中国质量"],
    );
    check("帮我写一首关于质量月的诗", false, None, &[]);
    // A lone character the notices never use as a word (`盯`) is how the
    // asker put it, not a thing they lack.
    check(
        "2019年质量月缺陷召回重点盯哪些产品",
        true,
        Some(2019),
        &["智能网联汽车"],
    );
}

#[test]
fn mechanisms_of_the_fourteenth_round() {
    // `亮点`/`举措` ask what a region or body did, as `活动` does.
    check("2024年甘肃质量月的亮点", true, Some(2024), &["陇字号"]);
    check("2024年应急管理部在质量月有哪些举措", true, Some(2024), &["消防产品"]);
    // Winning asked with 拿/捧 (`拿奖`, `捧了奖`) is a winners question: the
    // notices announce awards, they do not name winners.
    check("第五届中国质量奖是哪几家单位拿了奖", false, None, &[]);
    // … while the award itself is still found.
    check(
        "2024年质量月期间颁的是第几届中国质量奖",
        true,
        Some(2024),
        &["第五届中国质量奖"],
    );
}

#[test]
fn a_verb_and_a_little_is_the_verb() {
    // `出点钱`, `收点费用`: jieba's rare nouns 出点/收点 are a verb and `点`.
    check("质量月活动要企业出点钱吗", true, None, &["摊派收费"]);
    check("开展活动能不能收点企业的费用", true, None, &["摊派收费"]);
}
