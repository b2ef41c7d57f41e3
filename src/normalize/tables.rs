//! Built-in data: abbreviations, contractions, syllables, never-decode
//! words, and the word lists of the matcher (filler, everyday English,
//! language cues).
//!
//! Kept as plain `const` tables so they are easy to review and extend; the
//! [`Normalizer`](super::Normalizer) indexes them once when it is built.

use std::sync::OnceLock;

use crate::fxhash::FastMap;
use crate::Lang;

/// Built-in abbreviations and teencode: `(language, from, to)`.
///
/// `None` means any language. Single letters and words that are also English
/// (`a`, `e`, `v`, `vs`, `sp`...) are Vietnamese-only so "I want a refund"
/// keeps its `a`.
pub(crate) const ABBREVIATIONS: &[(Option<Lang>, &str, &str)] = &[
    // Negation.
    (Some(Lang::Vi), "k", "không"),
    (None, "ko", "không"),
    (None, "kh", "không"),
    (None, "kg", "không"),
    (None, "khg", "không"),
    (None, "hok", "không"),
    (None, "hk", "không"),
    (None, "khum", "không"),
    (None, "hum", "không"),
    (None, "kô", "không"),
    (None, "hông", "không"),
    (Some(Lang::Vi), "hong", "không"),
    (None, "hem", "không"),
    (None, "kbiet", "không biết"),
    (None, "kcj", "không có gì"),
    (None, "kcgi", "không có gì"),
    // Được.
    (None, "dc", "được"),
    (None, "đc", "được"),
    (None, "dk", "được"),
    (None, "đk", "được"),
    (None, "dx", "được"),
    (None, "đx", "được"),
    // Particles.
    (Some(Lang::Vi), "j", "gì"),
    (None, "ji", "gì"),
    (Some(Lang::Vi), "r", "rồi"),
    (None, "rùi", "rồi"),
    (None, "ròi", "rồi"),
    (Some(Lang::Vi), "z", "vậy"),
    (Some(Lang::Vi), "v", "vậy"),
    (None, "zậy", "vậy"),
    (None, "chx", "chưa"),
    (None, "cx", "cũng"),
    (None, "cg", "cũng"),
    (Some(Lang::Vi), "ms", "mới"),
    (None, "thui", "thôi"),
    (Some(Lang::Vi), "ak", "à"),
    (None, "ạk", "ạ"),
    (None, "ntn", "như thế nào"),
    (None, "nma", "nhưng mà"),
    (None, "nhma", "nhưng mà"),
    (Some(Lang::Vi), "vs", "với"),
    (None, "trc", "trước"),
    (None, "bít", "biết"),
    (None, "bik", "biết"),
    (None, "lm", "làm"),
    (None, "iu", "yêu"),
    (None, "nhìu", "nhiều"),
    (None, "wá", "quá"),
    (None, "qá", "quá"),
    (None, "hnay", "hôm nay"),
    (None, "hqua", "hôm qua"),
    (None, "tgian", "thời gian"),
    (None, "lq", "liên quan"),
    (None, "kq", "kết quả"),
    (None, "xl", "xin lỗi"),
    (Some(Lang::Vi), "sr", "xin lỗi"),
    (None, "mún", "muốn"),
    (None, "thik", "thích"),
    (None, "lun", "luôn"),
    (None, "đag", "đang"),
    (None, "dag", "đang"),
    (None, "bgio", "bây giờ"),
    (None, "bjo", "bây giờ"),
    (None, "nhiu", "nhiêu"),
    (None, "vd", "ví dụ"),
    // OK variants collapse onto "ok" (which itself is never touched).
    (None, "oke", "ok"),
    (None, "okê", "ok"),
    (None, "oki", "ok"),
    (None, "okie", "ok"),
    (None, "okela", "ok"),
    (None, "okla", "ok"),
    (None, "okey", "ok"),
    (None, "oce", "ok"),
    // Thanks.
    (None, "tks", "cảm ơn"),
    (None, "thks", "cảm ơn"),
    (None, "camon", "cảm ơn"),
    (None, "cmon", "cảm ơn"),
    // People.
    (Some(Lang::Vi), "e", "em"),
    (Some(Lang::Vi), "a", "anh"),
    (Some(Lang::Vi), "c", "chị"),
    (Some(Lang::Vi), "ac", "anh chị"),
    (None, "mk", "mình"),
    (None, "mik", "mình"),
    (None, "mjk", "mình"),
    (None, "ngta", "người ta"),
    (Some(Lang::Vi), "ng", "người"),
    (Some(Lang::Vi), "t", "tôi"),
    (None, "mn", "mọi người"),
    (None, "mng", "mọi người"),
    (None, "ad", "admin"),
    (None, "ctv", "cộng tác viên"),
    // Money / quantity. `bn` is read as "bao nhiêu": see the module docs.
    (None, "bn", "bao nhiêu"),
    (None, "bnh", "bao nhiêu"),
    (None, "sl", "số lượng"),
    // Orders / shipping / payment.
    (Some(Lang::Vi), "sp", "sản phẩm"),
    (None, "dh", "đơn hàng"),
    (None, "đh", "đơn hàng"),
    (None, "mđ", "mã đơn"),
    (None, "freeship", "miễn phí vận chuyển"),
    (None, "đvvc", "đơn vị vận chuyển"),
    (None, "dvvc", "đơn vị vận chuyển"),
    (None, "ck", "chuyển khoản"),
    (None, "ckhoan", "chuyển khoản"),
    (None, "stk", "số tài khoản"),
    (None, "sdt", "số điện thoại"),
    (None, "sđt", "số điện thoại"),
    (None, "đchi", "địa chỉ"),
    (None, "mgg", "mã giảm giá"),
    (Some(Lang::Vi), "ib", "nhắn tin"),
    (None, "inbox", "nhắn tin"),
    (None, "ttin", "thông tin"),
    (None, "lh", "liên hệ"),
    (Some(Lang::Vi), "nt", "nhắn tin"),
    (Some(Lang::Vi), "tl", "trả lời"),
    (None, "fb", "facebook"),
    (None, "zl", "zalo"),
    (None, "đt", "điện thoại"),
    (None, "sz", "size"),
    (None, "sll", "số lượng lớn"),
    (None, "gh", "giao hàng"),
];

/// English contractions, matched on the lowercase token with `’` as `'`.
pub(crate) const CONTRACTIONS: &[(&str, &str)] = &[
    ("can't", "can not"),
    ("cannot", "can not"),
    ("won't", "will not"),
    ("shan't", "shall not"),
    ("ain't", "is not"),
    ("i'm", "i am"),
    ("let's", "let us"),
    ("it's", "it is"),
    ("that's", "that is"),
    ("what's", "what is"),
    ("where's", "where is"),
    ("when's", "when is"),
    ("who's", "who is"),
    ("how's", "how is"),
    ("there's", "there is"),
    ("here's", "here is"),
    ("he's", "he is"),
    ("she's", "she is"),
    ("why's", "why is"),
];

/// Suffix rules applied when no whole-word contraction matched.
pub(crate) const CONTRACTION_SUFFIXES: &[(&str, &str)] = &[
    ("n't", "not"),
    ("'re", "are"),
    ("'ve", "have"),
    ("'ll", "will"),
    ("'d", "would"),
    ("'m", "am"),
];

/// ASCII words Telex/VNI decoding never touches: English and loanwords that
/// happen to be valid keystroke sequences (`tax` would be tã, `been` bên).
pub(crate) const NEVER_DECODE: &str =
    "ship shop size sale ok order cod max tax six car bar bus too \
now how free voucher check cos mix fix box sex wax fax tour four your our hour dear near hear \
year been seen need feed see bee tree three agree fee good food book look took cook soon moon \
room door floor cool pool school boot foot wood week meet keep sleep deep green queen coffee \
sweet street speed indeed guarantee employee between cheer beer peer steer free zoo noon loop \
poor boo cow low row bow tow wow vow show know slow snow flow grow glow below allow follow \
window yellow tomorrow borrow law saw raw paw jaw draw claw straw new few view review dew sew \
cancel refund address account password sorry hello thanks thank please help hi hey bye \
yes no not what where when who why which can will would should could is are was were have has \
had do does did the a an and or but for with from into this that these those there here my me \
we you they them their his her its it of on in at by to up out off as if so than then too \
very much many more most some any all each every both other again also just only still even \
money price cost pay paid paying payment bank card cash transfer delivery deliver shipping \
shipped shipment tracking track status return returns exchange wrong broken damaged missing \
item items product products color colour black white red blue pink gold silver small large \
medium big long short fast slow soon late day days week weeks month today yesterday \
admin staff human agent person real bot chat talk speak call phone email mail inbox message \
promo code discount coupon deal sales off fees taxes boss mom dad baby kid boys girls mess \
seems sees trees bees fees pass miss less loss boss cross press dress class glass grass kiss \
boots books looks cooks hooks noon moods foods goods woods keeps meets needs feeds weeds \
lows rows bows cows tows vows news views stew chew crew drew flew grew knew threw \
coo goo woo toon boon doom loom zoom tool fool wool hood mood roof proof goose loose \
teen seed weed reed heel feel peel reel jeep beep peep sheet fleet greet \
bass boss mass lass sass jazz fuzz buzz \
bans chins tams tims deps mays sangs";

/// Common Vietnamese syllables of shop and support chat. Telex/VNI decoding
/// only accepts a result found here or added with `known_word`.
pub(crate) const SYLLABLES: &str = "đơn hàng được không giao hủy đổi trả hoàn tiền phí vận chuyển \
thanh toán khoản nhận bao nhiêu khi nào ở đâu của tôi em mình shop ơi ạ nhé nha với rồi chưa \
mã số điện thoại địa chỉ sản phẩm size màu còn hết bảo hành khuyến mãi giảm giá tài mật khẩu \
đăng ký nhân viên người thật gặp tư vấn khiếu nại lừa đảo cảm ơn chào tạm biệt hóa xuất \
kiểm tra theo dõi lâu quá mấy ngày muốn mua bán đặt hỏi xin giúp cho tại sao vậy thế gì ai \
đã đang sẽ là có làm đi đến về lại nữa hôm nay mai qua tuần tháng năm giờ phút sáng chiều tối \
anh chị bạn mọi họ ship gửi tới nơi nhà đường phường quận huyện tỉnh thành phố xã ấp số \
nhanh chậm trễ lỗi hỏng vỡ bể sai thiếu đủ dư nhầm lẫn cũ mới đẹp xấu tốt rẻ đắt mắc \
hàng hóa kho hết còn sẵn cần muốn thích yêu ghét hiểu biết nghĩ thấy nói nhắn tin gọi \
liên hệ hỗ trợ chăm sóc khách dịch vụ chính sách quy định điều kiện đăng nhập ký \
ví thẻ ngân tiền mặt trước sau khi lúc bây giờ rồi luôn ngay liền sớm muộn nhất \
cái chiếc đôi bộ áo quần giày dép túi váy đầm mũ nón kính đồng hồ điện thoại máy \
cỡ to nhỏ vừa rộng chật dài ngắn cao thấp nặng nhẹ màu đen trắng đỏ xanh vàng hồng tím xám nâu \
một hai ba bốn năm sáu bảy tám chín mười trăm nghìn ngàn triệu tỷ đồng \
được rồi vâng dạ đúng sai phải không chứ nhỉ hả à ừ ok thôi đi nhé nhá nhen \
hoàn trả đổi hủy bỏ dừng thay sửa cập nhật kiểm xem check theo dõi vận đơn \
hết hạn bảo hiểm hóa đơn đỏ thuế công ty cá nhân tên họ tuổi nam nữ \
mã giảm giá khuyến mại quà tặng miễn phí điểm thưởng thành viên hạng \
trạng thái xử lý duyệt xác nhận hủy bỏ chờ đợi lâu quá mãi sao chưa thấy \
lừa đảo giả thật chính hãng nhái kém chất lượng hư hại ướt \
cảm ơn xin lỗi chào tạm biệt hẹn gặp lại nhiều lắm rất quá hơi khá \
người thật nhân viên tổng đài hotline gặp nói chuyện trực tiếp như nhưng thế tư";

/// Words that carry no intent on their own: they count neither for nor
/// against an intent's coverage of a message. Written with their
/// diacritics; a token typed without diacritics is compared folded (so
/// "ban" typed plain is filler, "bàn" is not). Vietnamese particles,
/// pronouns and politeness first, then English.
pub(crate) const FILLER: &str =
    "à ạ ah ak ad admin anh bạn c cho chị dạ đi em hả hỏi mình nha nhé nhen nhỉ ơi rồi \
shop thì tôi và vậy với vâng là của nè mà ở sốp luôn giúp giùm e a mk ạk cái này đó \
ấy xin vui lòng \
i me my we our you your the a an is are am was to of for and or it this that please \
pls plz hey can could would do does did be in on at so just there here with about \
some any hello hi";

/// Everyday English words that typo correction never "corrects" to a rule
/// word one edit away ("nice" is not a typo of "nick", "older" not of
/// "order").
pub(crate) const COMMON_EN: &str =
    "able about above after again also always another anyone anything around asked away \
back because been before being best better between both bought came come could does \
done down each else even ever every fine first from gave give going gone good great \
have having hello here home hope into just keep kind knew know last late later left \
less like little long look love made make many maybe mine more most much must name \
need never next nice none nothing once only other over part people place please \
quite rather read real really right said same saying seen should show since some \
someone something soon sorry still such sure take taken tell than thank thanks that \
their them then there these they thing think this those time today told tomorrow \
took very want wanted week well went were what when where which while will with \
without work would yeah year yesterday your older lately nicely though through until \
upon using whole whose within wonder worse worst wrong wrote";

/// Common words that tell a message's language: the one list every
/// language decision uses. The normalizer counts them on the lowercase
/// words as typed (teencode such as `ko`, `k`, `r` included) to choose the
/// language-specific abbreviations; the matcher counts them again on the
/// normalized folded tokens, together with the rules' own vocabulary, and
/// they override the vocabulary (a Vietnamese phrase may well hold "want"
/// or "order", but "want" is English). A word in both lists ("a", "can",
/// "on") counts for neither; "the" is English here, though a Vietnamese
/// "thế" typed plain folds to it: the other words of such a message
/// outvote it.
pub(crate) const VI_CUES: &str = "\
toi em anh chi minh shop oi a nhe nha khong duoc cua cho voi roi chua gi sao \
nao bao nhieu dau hang don la co ko vay muon can hoi giup xin cam on ban mua \
dc huy tien ad ak ah e j k r v z";

/// English counterpart of [`VI_CUES`].
pub(crate) const EN_CUES: &str = "\
i my me you your the is are was what where when how why can could would \
please hi hello thanks thank order want need have has not do does did it \
this that with for of to and get help there yes no we our be am an a will \
refund cancel im dont cant in on at";

/// [`LANG_VI`] | [`LANG_EN`] for a cue word, 0 for any other word.
pub(crate) fn lang_cue(word: &str) -> u8 {
    static CUES: OnceLock<FastMap<&'static str, u8>> = OnceLock::new();
    let cues = CUES.get_or_init(|| {
        let mut m: FastMap<&'static str, u8> = FastMap::default();
        for w in VI_CUES.split_whitespace() {
            *m.entry(w).or_insert(0) |= LANG_VI;
        }
        for w in EN_CUES.split_whitespace() {
            *m.entry(w).or_insert(0) |= LANG_EN;
        }
        m
    });
    cues.get(word).copied().unwrap_or(0)
}

/// Language bit of a Vietnamese cue.
pub(crate) const LANG_VI: u8 = 1;
/// Language bit of an English cue.
pub(crate) const LANG_EN: u8 = 2;
