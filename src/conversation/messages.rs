//! Built-in system messages and order-status replies, in Vietnamese (polite
//! shop-to-customer register: "Dạ", "anh/chị", "ạ") and English. Every one
//! can be overridden under `conversation.messages` / `conversation.order_status`.

use super::config::{MessageKey, Texts};
use super::order::OrderStatus;

fn texts(vi: &[&str], en: &[&str]) -> Texts {
    Texts::new(
        vi.iter().map(|s| s.to_string()).collect(),
        en.iter().map(|s| s.to_string()).collect(),
    )
}

pub(crate) fn default_text(key: MessageKey) -> Texts {
    match key {
        MessageKey::Fallback => texts(
            &[
                "Dạ, em chưa hiểu rõ ý anh/chị ạ. Anh/chị có thể nói rõ hơn giúp em được không ạ?",
                "Dạ, em xin lỗi, em chưa nắm được ý anh/chị. Anh/chị mô tả lại giúp em với ạ.",
            ],
            &[
                "Sorry, I didn't quite get that. Could you say it another way?",
                "I'm not sure I understood. Could you tell me a bit more?",
            ],
        ),
        MessageKey::AskOrderId => texts(
            &["Dạ, anh/chị cho em xin mã đơn hàng (ví dụ DH123456) để em kiểm tra ạ."],
            &["Sure. Could you send me your order number (for example DH123456)?"],
        ),
        MessageKey::InvalidOrderId => texts(
            &["Dạ, mã đơn này chưa đúng định dạng ạ. Anh/chị kiểm tra lại giúp em mã đơn (ví dụ DH123456) nhé."],
            &["That doesn't look like an order number. Could you check it? It looks like DH123456."],
        ),
        MessageKey::InvalidSlot => texts(
            &["Dạ, thông tin này em chưa đọc được ạ. Anh/chị gửi lại giúp em nhé."],
            &["Sorry, I couldn't read that. Could you send it again?"],
        ),
        MessageKey::SlotFailed => texts(
            &["Dạ, em xin lỗi vì chưa hỗ trợ được anh/chị. Em chuyển anh/chị sang nhân viên tư vấn ngay ạ."],
            &["Sorry I couldn't sort this out. I'm passing you to a member of our team."],
        ),
        MessageKey::VerifyPhone => texts(
            &["Dạ, để bảo mật thông tin, anh/chị cho em xin 4 số cuối của số điện thoại đặt đơn {order_id} ạ."],
            &["To keep your details safe, could you tell me the last 4 digits of the phone number on order {order_id}?"],
        ),
        MessageKey::VerifyEmail => texts(
            &["Dạ, để bảo mật thông tin, anh/chị cho em xin địa chỉ email đã dùng để đặt đơn {order_id} ạ."],
            &["To keep your details safe, could you tell me the email address used for order {order_id}?"],
        ),
        MessageKey::VerifyEither => texts(
            &["Dạ, để bảo mật thông tin, anh/chị cho em xin 4 số cuối số điện thoại hoặc email đã dùng để đặt đơn {order_id} ạ."],
            &["To keep your details safe, could you tell me the last 4 digits of the phone number or the email used for order {order_id}?"],
        ),
        MessageKey::VerifyMismatch => texts(
            &["Dạ, thông tin này chưa khớp với đơn hàng ạ. Anh/chị kiểm tra lại giúp em nhé (còn {tries_left} lần thử)."],
            &["Sorry, that doesn't match our records for this order. Please check and try again (tries left: {tries_left})."],
        ),
        MessageKey::Empathy => texts(
            &["Dạ, em rất tiếc vì trải nghiệm chưa tốt của anh/chị ạ. Em đã ghi nhận để shop khắc phục. Nếu anh/chị muốn trao đổi trực tiếp, em kết nối anh/chị với nhân viên tư vấn ngay ạ."],
            &["I'm sorry to hear that, and thank you for telling us. I've passed it on so we can put it right. If you'd like to talk it through with a person, I can connect you now."],
        ),
        MessageKey::OfferAgent => texts(&["Gặp nhân viên tư vấn"], &["Talk to a person"]),
        MessageKey::VerifyNoMatch => texts(
            &["Dạ, em chưa tìm thấy đơn {order_id} khớp với thông tin anh/chị cung cấp ạ. Anh/chị kiểm tra lại giúp em mã đơn và số điện thoại hoặc email đặt hàng nhé (còn {tries_left} lần thử)."],
            &["I couldn't find an order {order_id} matching those details. Please check the order number and the phone number or email on the order (tries left: {tries_left})."],
        ),
        MessageKey::VerifyFourDigits => texts(
            &["Dạ, anh/chị cho em xin đủ 4 số cuối của số điện thoại đặt đơn {order_id} ạ."],
            &["Could you send all 4 of the last digits of the phone number on order {order_id}?"],
        ),
        MessageKey::SeveralOrders => texts(
            &["Dạ, em thấy anh/chị gửi {count} mã đơn ({order_ids}). Em kiểm tra lần lượt từng đơn ạ, trước tiên là đơn {order_id}."],
            &["I see {count} order numbers ({order_ids}). I'll check them one at a time, starting with {order_id}."],
        ),
        MessageKey::NextOrder => texts(
            &["Dạ, tiếp theo em kiểm tra đơn {order_id} ạ."],
            &["Next, order {order_id}."],
        ),
        MessageKey::VerifyFailed => texts(
            &["Dạ, em chưa xác minh được thông tin đơn hàng nên em xin phép chuyển anh/chị sang nhân viên hỗ trợ ạ."],
            &["I couldn't verify this order, so I'm passing you to a member of our team who can help."],
        ),
        MessageKey::LookupError => texts(
            &["Dạ, em xin lỗi, hệ thống tra cứu đơn đang gặp sự cố ạ. Em chuyển anh/chị sang nhân viên hỗ trợ ngay ạ."],
            &["Sorry, our order system isn't responding right now. I'm passing you to a member of our team."],
        ),
        MessageKey::Enumeration => texts(
            &["Dạ, em chỉ tra cứu được một số đơn trong một cuộc trò chuyện ạ. Em chuyển anh/chị sang nhân viên hỗ trợ để kiểm tra tiếp ạ."],
            &["I can only look up a few orders per conversation. I'm passing you to a member of our team to continue."],
        ),
        MessageKey::Handoff => texts(
            &["Dạ, em chuyển anh/chị sang nhân viên tư vấn ngay ạ. Anh/chị vui lòng chờ trong giây lát nhé."],
            &["Sure, I'm connecting you with a member of our team. Please hold on a moment."],
        ),
        MessageKey::HandoffApology => texts(
            &["Dạ, em rất xin lỗi vì trải nghiệm chưa tốt của anh/chị ạ. Em chuyển anh/chị sang nhân viên phụ trách để xử lý ngay ạ."],
            &["I'm really sorry about this. I'm passing you to a member of our team right away."],
        ),
        MessageKey::HandoffOffline => texts(
            &["Dạ, hiện nhân viên tư vấn đã hết giờ làm việc ({agent_hours}) ạ. Nhân viên sẽ quay lại lúc {agents_back} ạ. Anh/chị để lại số điện thoại hoặc email, em sẽ nhờ nhân viên liên hệ lại ngay ạ."],
            &["Our team is offline right now (hours: {agent_hours}) and back {agents_back}. Leave a phone number or email and they'll get back to you."],
        ),
        MessageKey::ContactThanks => texts(
            &["Dạ, em cảm ơn anh/chị. Nhân viên sẽ liên hệ lại qua {contact} lúc {agents_back} ạ."],
            &["Thank you. Our team will contact you at {contact} {agents_back}."],
        ),
        MessageKey::ContactMissing => texts(
            &["Dạ, em đã ghi nhận yêu cầu ạ. Nhân viên sẽ trả lời anh/chị tại đây lúc {agents_back} ạ."],
            &["Noted. Our team will reply here {agents_back}."],
        ),
        MessageKey::Clarify => texts(
            &["Dạ, anh/chị muốn {a} hay {b} ạ?"],
            &["Do you want to {a} or {b}?"],
        ),
        MessageKey::WaitingForAgent => texts(
            &["Dạ, em đã chuyển yêu cầu của anh/chị cho nhân viên rồi ạ. Anh/chị vui lòng chờ trong giây lát nhé."],
            &["I've passed your request to our team. Someone will be with you shortly."],
        ),
    }
}

pub(crate) fn default_status(st: OrderStatus) -> Texts {
    match st {
        OrderStatus::Pending => texts(
            &["Dạ, đơn {order_id} của anh/chị đang chờ shop xác nhận ạ. Em sẽ cập nhật ngay khi đơn được xác nhận ạ."],
            &["Order {order_id} is waiting for confirmation. We'll update you as soon as it's confirmed."],
        ),
        OrderStatus::Confirmed => texts(
            &["Dạ, đơn {order_id} đã được xác nhận và đang chờ đóng gói ạ."],
            &["Order {order_id} is confirmed and waiting to be packed."],
        ),
        OrderStatus::Packed => texts(
            &["Dạ, đơn {order_id} đã đóng gói xong và đang chờ bàn giao cho đơn vị vận chuyển ạ."],
            &["Order {order_id} is packed and waiting to be handed to the carrier."],
        ),
        OrderStatus::Shipped => texts(
            &["Dạ, đơn {order_id} đã được giao cho {carrier}, mã vận đơn {tracking}, dự kiến giao {eta} ạ."],
            &["Order {order_id} has shipped with {carrier}, tracking number {tracking}, expected {eta}."],
        ),
        OrderStatus::InTransit => texts(
            &["Dạ, đơn {order_id} đang trên đường giao bởi {carrier} (mã vận đơn {tracking}), dự kiến tới nơi {eta} ạ."],
            &["Order {order_id} is on its way with {carrier} (tracking {tracking}), expected {eta}."],
        ),
        OrderStatus::Delivered => texts(
            &["Dạ, đơn {order_id} đã giao thành công ạ. Nếu anh/chị chưa nhận được hàng, anh/chị báo em ngay nhé."],
            &["Order {order_id} was delivered. If you haven't received it, please let me know."],
        ),
        OrderStatus::Cancelled => texts(
            &["Dạ, đơn {order_id} đã được hủy ạ. Nếu anh/chị đã thanh toán, tiền sẽ được hoàn lại theo chính sách của shop ạ."],
            &["Order {order_id} was cancelled. If you paid already, the money will be refunded."],
        ),
        OrderStatus::Returned => texts(
            &["Dạ, đơn {order_id} đã được hoàn về shop ạ. Shop sẽ xử lý hoàn tiền cho anh/chị sớm nhất ạ."],
            &["Order {order_id} was returned to us. We'll process your refund as soon as possible."],
        ),
        OrderStatus::Refunded => texts(
            &["Dạ, đơn {order_id} đã được hoàn tiền ạ. Tùy ngân hàng, tiền có thể về tài khoản sau 3–7 ngày làm việc ạ."],
            &["Order {order_id} has been refunded. Depending on your bank it can take 3–7 working days to arrive."],
        ),
        OrderStatus::NotFound => texts(
            &["Dạ, em chưa tìm thấy đơn {order_id} ạ. Anh/chị kiểm tra lại giúp em mã đơn nhé."],
            &["I couldn't find order {order_id}. Could you double-check the number?"],
        ),
    }
}
