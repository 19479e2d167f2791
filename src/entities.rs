//! Who an item is about: ministries, associations, provincial regions and
//! cities, with the short names, old names and English names people use in
//! questions. Items whose organisation is not in this table are still found
//! by [`org_prefix`], which recognises names by their endings (…部, …协会).

/// What kind of body an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// A ministry, court, commission or other national body.
    Ministry,
    /// A national federation or association.
    Association,
    /// A provincial-level region (incl. 新疆生产建设兵团).
    Province,
    /// A city.
    City,
}

/// One entity: canonical name first, then aliases; `en` holds English names
/// (matched case-insensitively on word boundaries).
#[derive(Debug, Clone)]
pub struct Entity {
    /// The canonical name, as the newest notices write it.
    pub name: &'static str,
    /// The kind of body.
    pub kind: EntityKind,
    /// Other Chinese names (full names, short names, former names).
    pub aliases: &'static [&'static str],
    /// English names, lower case.
    pub en: &'static [&'static str],
}

macro_rules! e {
    ($kind:ident, $name:expr, [$($a:expr),*], [$($en:expr),*]) => {
        Entity { name: $name, kind: EntityKind::$kind, aliases: &[$($a),*], en: &[$($en),*] }
    };
}

/// The built-in table.
pub static ENTITIES: &[Entity] = &[
    // Provincial-level regions.
    e!(Province, "北京市", ["北京", "京"], ["beijing"]),
    e!(Province, "天津市", ["天津", "津"], ["tianjin"]),
    e!(Province, "河北省", ["河北", "冀"], ["hebei"]),
    e!(Province, "山西省", ["山西", "晋"], ["shanxi"]),
    e!(
        Province,
        "内蒙古自治区",
        ["内蒙古", "内蒙"],
        ["inner mongolia", "nei mongol"]
    ),
    e!(Province, "辽宁省", ["辽宁", "辽"], ["liaoning"]),
    e!(Province, "吉林省", ["吉林"], ["jilin"]),
    e!(Province, "黑龙江省", ["黑龙江", "龙江"], ["heilongjiang"]),
    e!(Province, "上海市", ["上海", "沪"], ["shanghai"]),
    e!(Province, "江苏省", ["江苏", "苏"], ["jiangsu"]),
    e!(Province, "浙江省", ["浙江", "浙"], ["zhejiang"]),
    e!(Province, "安徽省", ["安徽", "皖"], ["anhui"]),
    e!(Province, "福建省", ["福建", "闽"], ["fujian"]),
    e!(Province, "江西省", ["江西", "赣"], ["jiangxi"]),
    e!(Province, "山东省", ["山东", "鲁"], ["shandong"]),
    e!(Province, "河南省", ["河南", "豫"], ["henan"]),
    e!(Province, "湖北省", ["湖北", "鄂"], ["hubei"]),
    e!(Province, "湖南省", ["湖南", "湘"], ["hunan"]),
    e!(Province, "广东省", ["广东", "粤"], ["guangdong", "canton"]),
    e!(Province, "广西壮族自治区", ["广西", "桂"], ["guangxi"]),
    e!(Province, "海南省", ["海南", "琼"], ["hainan"]),
    e!(Province, "重庆市", ["重庆", "渝"], ["chongqing"]),
    e!(Province, "四川省", ["四川", "川"], ["sichuan"]),
    e!(Province, "贵州省", ["贵州", "黔"], ["guizhou"]),
    e!(Province, "云南省", ["云南", "滇"], ["yunnan"]),
    e!(Province, "西藏自治区", ["西藏", "藏"], ["tibet", "xizang"]),
    e!(Province, "陕西省", ["陕西", "陕"], ["shaanxi"]),
    e!(Province, "甘肃省", ["甘肃", "陇"], ["gansu"]),
    e!(Province, "青海省", ["青海"], ["qinghai"]),
    e!(Province, "宁夏回族自治区", ["宁夏"], ["ningxia"]),
    e!(Province, "新疆维吾尔自治区", ["新疆", "新疆自治区"], ["xinjiang"]),
    e!(
        Province,
        "新疆生产建设兵团",
        ["兵团", "新疆兵团"],
        ["xinjiang production and construction corps", "xpcc", "bingtuan"]
    ),
    // Cities that have their own sections.
    e!(City, "福州市", ["福州"], ["fuzhou"]),
    e!(City, "厦门市", ["厦门"], ["xiamen", "amoy"]),
    e!(City, "泉州市", ["泉州"], ["quanzhou"]),
    e!(City, "成都市", ["成都"], ["chengdu"]),
    // National bodies.
    e!(
        Ministry,
        "市场监管总局",
        [
            "国家市场监督管理总局",
            "市场监督管理总局",
            "国家市场监管总局",
            "市监总局"
        ],
        [
            "samr",
            "state administration for market regulation",
            "market regulation"
        ]
    ),
    e!(
        Ministry,
        "质检总局",
        ["国家质量监督检验检疫总局", "国家质检总局"],
        ["aqsiq"]
    ),
    e!(
        Ministry,
        "中央宣传部",
        ["中宣部", "中共中央宣传部", "宣传部"],
        ["publicity department", "propaganda department"]
    ),
    e!(
        Ministry,
        "最高人民法院",
        ["最高法", "最高院"],
        ["supreme people's court", "supreme court"]
    ),
    e!(
        Ministry,
        "最高人民检察院",
        ["最高检"],
        ["supreme people's procuratorate", "procuratorate"]
    ),
    e!(
        Ministry,
        "国家发展改革委",
        ["发展改革委", "国家发展和改革委员会", "发展和改革委员会", "发改委"],
        ["ndrc", "national development and reform commission"]
    ),
    e!(Ministry, "教育部", [], ["ministry of education"]),
    e!(
        Ministry,
        "科技部",
        ["科学技术部"],
        ["ministry of science and technology"]
    ),
    e!(
        Ministry,
        "工业和信息化部",
        ["工信部", "工业与信息化部"],
        ["miit", "ministry of industry and information technology"]
    ),
    e!(Ministry, "公安部", [], ["ministry of public security"]),
    e!(Ministry, "民政部", [], ["ministry of civil affairs"]),
    e!(
        Ministry,
        "人力资源社会保障部",
        ["人力资源和社会保障部", "人社部"],
        ["ministry of human resources and social security"]
    ),
    e!(Ministry, "自然资源部", [], ["ministry of natural resources"]),
    e!(
        Ministry,
        "生态环境部",
        ["环保部", "环境保护部"],
        ["ministry of ecology and environment"]
    ),
    e!(
        Ministry,
        "住房和城乡建设部",
        ["住房城乡建设部", "住建部"],
        ["ministry of housing and urban-rural development", "mohurd"]
    ),
    e!(Ministry, "交通运输部", ["交通部"], ["ministry of transport"]),
    e!(Ministry, "水利部", ["水利部门"], ["ministry of water resources"]),
    e!(
        Ministry,
        "农业农村部",
        ["农业部"],
        ["ministry of agriculture and rural affairs", "ministry of agriculture"]
    ),
    e!(Ministry, "商务部", [], ["ministry of commerce", "mofcom"]),
    e!(
        Ministry,
        "文化和旅游部",
        ["文旅部", "文化部", "国家旅游局"],
        ["ministry of culture and tourism"]
    ),
    e!(
        Ministry,
        "国家卫生健康委",
        ["卫生健康委", "国家卫生健康委员会", "卫健委", "国家卫健委", "卫生计生委"],
        ["national health commission"]
    ),
    e!(Ministry, "应急管理部", [], ["ministry of emergency management"]),
    e!(
        Ministry,
        "中国人民银行",
        ["人民银行", "人行", "央行"],
        ["people's bank of china", "pboc", "central bank"]
    ),
    e!(
        Ministry,
        "国务院国资委",
        ["国资委", "国务院国有资产监督管理委员会"],
        ["sasac"]
    ),
    e!(
        Ministry,
        "海关总署",
        ["海关"],
        ["customs", "general administration of customs"]
    ),
    e!(
        Ministry,
        "国家知识产权局",
        ["知识产权局"],
        ["cnipa", "national intellectual property administration"]
    ),
    e!(Ministry, "国家国际发展合作署", ["国际发展合作署"], ["cidca"]),
    e!(Ministry, "广电总局", ["国家广播电视总局"], ["nrta"]),
    e!(
        Ministry,
        "银保监会",
        [
            "中国银行保险监督管理委员会",
            "银监会",
            "保监会",
            "中国银监会",
            "中国保监会"
        ],
        ["cbirc"]
    ),
    e!(Ministry, "国家药监局", ["药监局"], ["nmpa"]),
    e!(Ministry, "国家林业局", ["林业局", "林业部门"], []),
    e!(Ministry, "国家粮食局", ["粮食局", "粮食部门"], []),
    e!(Ministry, "国家海洋局", ["海洋局"], ["state oceanic administration"]),
    e!(Ministry, "国家能源局", ["能源局"], ["national energy administration"]),
    e!(Ministry, "国家铁路局", ["铁路局"], ["national railway administration"]),
    e!(Ministry, "国家邮政局", ["邮政局"], ["state post bureau"]),
    e!(Ministry, "国防科工局", ["国家国防科技工业局"], []),
    e!(Ministry, "工商总局", ["国家工商总局", "国家工商行政管理总局"], ["saic"]),
    e!(Ministry, "中央军委装备发展部", ["装备发展部", "军委装备发展部"], []),
    e!(
        Ministry,
        "供销合作总社",
        ["中华全国供销合作总社", "供销总社", "供销社"],
        ["all china federation of supply and marketing cooperatives"]
    ),
    e!(
        Ministry,
        "全国总工会",
        ["中华全国总工会", "总工会"],
        ["acftu", "trade unions"]
    ),
    e!(Ministry, "共青团中央", ["团中央", "共青团"], ["communist youth league"]),
    e!(Ministry, "全国工商联", ["中华全国工商业联合会", "工商联"], ["acfic"]),
    e!(Ministry, "全国妇联", ["中华全国妇女联合会", "妇联"], []),
    e!(Ministry, "中国贸促会", ["中国国际贸易促进委员会", "贸促会"], ["ccpit"]),
    // Associations.
    e!(
        Association,
        "中国质量协会",
        ["中质协"],
        ["china association for quality", "caq"]
    ),
    e!(
        Association,
        "中国轻工业联合会",
        ["轻工业联合会"],
        [
            "china national light industry council",
            "china federation of light industry"
        ]
    ),
    e!(
        Association,
        "中国商业联合会",
        ["商业联合会"],
        ["china general chamber of commerce"]
    ),
    e!(
        Association,
        "中国机械工业联合会",
        ["中国机械联合会", "机械工业联合会"],
        ["china machinery industry federation"]
    ),
    e!(
        Association,
        "中国石油和化学工业联合会",
        ["石化联合会", "中国石化联合会"],
        ["china petroleum and chemical industry federation"]
    ),
    e!(Association, "中国中小商业企业协会", [], []),
    e!(
        Association,
        "中国钢铁工业协会",
        ["中钢协"],
        ["china iron and steel association"]
    ),
    e!(
        Association,
        "中国施工企业管理协会",
        [],
        ["china association of construction enterprise management"]
    ),
    e!(Association, "中国水利电力质量管理协会", [], []),
    e!(
        Association,
        "中国有色金属工业协会",
        [],
        ["china nonferrous metals industry association"]
    ),
    e!(
        Association,
        "中国建筑业协会",
        [],
        ["china construction industry association"]
    ),
    e!(Association, "中国饭店协会", [], ["china hotel association"]),
    e!(Association, "中国版权协会", [], ["copyright society of china"]),
    e!(Association, "中国质量万里行促进会", [], []),
    e!(
        Association,
        "中国品牌建设促进会",
        [],
        ["china council for brand development"]
    ),
    e!(Association, "中国消费品质量安全促进会", [], []),
    e!(Association, "中国设备监理协会", [], []),
    e!(
        Association,
        "中国防伪行业协会",
        [],
        ["china anti-counterfeiting association"]
    ),
    e!(Association, "中国纺织工业联合会", ["纺织工业联合会"], []),
];

/// What each body's activities are about, for texts that lost the names of
/// who did what (the 2017 PDF): the words a passage by that body uses.
pub static TOPICS: &[(&str, &[&str])] = &[
    ("质检总局", &["质量状况", "质量提升", "检验检测"]),
    ("教育部", &["师生", "教育"]),
    ("工业和信息化部", &["工业", "品牌培育", "食品工业"]),
    ("公安部", &["犯罪"]),
    ("人力资源社会保障部", &["技能", "职业培训", "技能人才"]),
    ("住房和城乡建设部", &["工程质量"]),
    ("交通运输部", &["公路水运", "品质工程", "汽车维修"]),
    ("水利部", &["水利"]),
    ("农业农村部", &["农产品", "农机", "农垦", "种子"]),
    ("商务部", &["诚信兴商", "追溯"]),
    ("文化和旅游部", &["图书馆", "旅游", "剧场"]),
    ("国家卫生健康委", &["医疗", "血液"]),
    ("中国人民银行", &["金融知识", "金融服务", "金融标准"]),
    ("海关总署", &["进出口", "海外形象", "龙腾"]),
    ("工商总局", &["红盾", "商品质量抽检", "网络消费"]),
    ("国家林业局", &["林产品", "林业"]),
    ("国家知识产权局", &["专利"]),
    ("银保监会", &["银行业", "保险"]),
    ("国家粮食局", &["粮食", "粮油"]),
    ("国家能源局", &["商品煤"]),
    ("国防科工局", &["可靠性", "国防"]),
    ("国家海洋局", &["海洋"]),
    ("国家铁路局", &["铁路"]),
    ("国家邮政局", &["快递"]),
    ("供销合作总社", &["供销合作社", "供销"]),
    ("中央军委装备发展部", &["装备质量", "军代表"]),
    ("全国总工会", &["职工", "劳动和技能竞赛"]),
    ("共青团中央", &["青年"]),
    ("中国贸促会", &["出口", "国际工商界"]),
];

/// The topic words of the body named `name`.
pub fn topics(name: &str) -> &'static [&'static str] {
    TOPICS.iter().find(|(n, _)| *n == name).map_or(&[], |(_, t)| t)
}

/// Endings that mark an organisation name at the start of an item, for
/// bodies the table does not know yet.
const ORG_ENDINGS: &[&str] = &[
    "联合会",
    "促进会",
    "协会",
    "总局",
    "总署",
    "总社",
    "委员会",
    "部",
    "委",
    "局",
    "署",
    "院",
    "会",
];

/// Recognises an organisation name at the start of `text` by its ending,
/// e.g. `中国饭店协会组织开展…` → `中国饭店协会`. The name must be 3 to 16
/// characters of Han script.
pub fn org_prefix(text: &str) -> Option<&str> {
    let mut best: Option<usize> = None;
    let mut chars = 0;
    for (i, c) in text.char_indices() {
        if !('\u{4e00}'..='\u{9fff}').contains(&c) {
            break;
        }
        chars += 1;
        if chars > 16 {
            break;
        }
        let end = i + c.len_utf8();
        if chars >= 3 && ORG_ENDINGS.iter().any(|e| text[..end].ends_with(e)) {
            best = Some(end);
            // Prefer the shortest name ending in a strong suffix: stop at the
            // first association-like or ministry-like ending.
            if ["联合会", "促进会", "协会", "总局", "总署", "总社", "委员会"]
                .iter()
                .any(|e| text[..end].ends_with(e))
            {
                break;
            }
        }
    }
    let end = best?;
    Some(&text[..end])
}

/// Every Chinese name of every entity, with the entity's index; longest
/// first, so that scanning prefers 新疆生产建设兵团 over 新疆.
pub fn chinese_names() -> Vec<(&'static str, usize)> {
    let mut v: Vec<(&'static str, usize)> = ENTITIES
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            std::iter::once(e.name)
                .chain(e.aliases.iter().copied())
                .map(move |n| (n, i))
        })
        .collect();
    v.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then(a.0.cmp(b.0)));
    v
}

/// The kind an auto-detected organisation name most likely has.
pub fn guess_kind(name: &str) -> EntityKind {
    if name.ends_with("协会") || name.ends_with("联合会") || name.ends_with("促进会") {
        EntityKind::Association
    } else if name.ends_with('省') || name.ends_with("自治区") {
        EntityKind::Province
    } else if name.ends_with('市') {
        EntityKind::City
    } else {
        EntityKind::Ministry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_prefix_finds_unknown_bodies() {
        assert_eq!(org_prefix("中国饭店协会组织开展美食节"), Some("中国饭店协会"));
        assert_eq!(org_prefix("应急管理部开展消防产品"), Some("应急管理部"));
        assert_eq!(org_prefix("开展“质量月”活动"), None);
    }

    #[test]
    fn names_are_unique_per_entity_and_longest_first() {
        let names = chinese_names();
        assert!(names[0].0.chars().count() >= names[names.len() - 1].0.chars().count());
        let mut seen = std::collections::HashMap::new();
        for (n, i) in &names {
            if let Some(prev) = seen.insert(*n, *i) {
                assert_eq!(prev, *i, "{n} names two entities");
            }
        }
    }
}
