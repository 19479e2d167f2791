//! What a question asks for: theme, slogans, dates, lists … (several may
//! hold), read from its words.

use super::{has_any, has_word, Intent};
use crate::entities::EntityKind;

/// Asking which bodies issued a notice.
static ISSUERS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"联合发文|发文单位|发文机关|印发单位|联合印发|署名单位|落款单位|(?:哪些|哪几个|几个|什么)(?:部门|单位).{0,6}(?:发的|印发|发布的|下发|发文|联合发)|谁发的|co-?issued|jointly issued|issued by (?:which|what|whom)",
    )
    .unwrap()
});

pub(super) fn detect_intent(norm: &str) -> Intent {
    let l = norm.to_lowercase();
    let mut it = Intent {
        theme: has_any(&l, &["主题", "主旨", "宗旨", "中心思想"]) || has_word(&l, &["theme", "themes", "motto"]),
        slogans: has_any(&l, &["口号", "标语", "宣传语"]) || has_word(&l, &["slogan", "slogans"]),
        date: has_any(
            &l,
            &[
                "哪天",
                "哪一天",
                "什么时候",
                "何时",
                "日期",
                "几月几日",
                "几号发",
                "发布时间",
                "印发时间",
                "成文时间",
                "发文时间",
            ],
        ) || has_word(&l, &["when", "date"]),
        doc_number: has_any(&l, &["文号", "发文字号", "字号", "编号"]) || l.contains("document number"),
        contact: has_any(
            &l,
            &["联系人", "联系电话", "电话", "邮箱", "传真", "联系方式", "地址", "邮编"],
        ) || has_word(&l, &["contact", "phone", "email", "e-mail", "telephone"]),
        activities: has_any(
            &l,
            &[
                "活动",
                "做了什么",
                "做什么",
                "干什么",
                "干了什么",
                "开展",
                "举办",
                "安排",
                "做了哪些",
                "工作",
                "忙活",
                "忙些",
                "搞了",
                "干啥",
                "做啥",
                "干嘛",
            ],
        ) || has_word(&l, &["do", "did", "does", "activities", "activity", "events", "plans"]),
        list: None,
        issuers: ISSUERS.is_match(&l),
        period: has_any(&l, &["几月", "哪个月", "哪月", "什么时间", "什么时候", "何时", "时间"])
            || has_word(&l, &["when"]),
    };
    if has_any(
        &l,
        &["各地", "各省", "各地区", "各省份", "各地方", "哪些省", "哪些地区"],
    ) || has_word(&l, &["provinces", "regions", "localities"])
    {
        it.list = Some(EntityKind::Province);
    } else if has_any(&l, &["各部门", "主办单位", "部委", "各部委", "哪些部门", "联合主办"])
        || has_word(&l, &["ministries", "organisers", "organizers"])
    {
        it.list = Some(EntityKind::Ministry);
    } else if has_any(&l, &["协会", "联合会", "各协会", "行业协会"]) || has_word(&l, &["associations", "federations"])
    {
        it.list = Some(EntityKind::Association);
    } else if has_any(&l, &["各城市", "哪些城市", "各市", "三个城市"]) || has_word(&l, &["cities"]) {
        it.list = Some(EntityKind::City);
    }
    it
}
