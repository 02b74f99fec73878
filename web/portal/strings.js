// The apply page's own texts (the offline queue, the connection), Turkish and English, added to the
// shared table (i18n.js addStrings). The form's and its receipt's are in web/common/application-form.js.
import { addStrings } from "../common/i18n.js";

addStrings({
  apply_title: ["Başvuru yapın · Açık Kapı", "Make an application · Açık Kapı"],

  // --- the connection ---
  offline_can_keep: ["Bağlantınız yok. Formu yine de doldurup gönderebilirsiniz: başvurunuz bu cihazda şifreli olarak saklanır ve bağlantı gelince kendiliğinden gönderilir.",
    "You are offline. You can still fill in and send the form: your application is kept encrypted on this device and sent by itself when the connection returns."],
  offline_cannot_keep: ["Bağlantınız yok. Başvurunuzu bağlantınız geri geldiğinde gönderebilirsiniz.",
    "You are offline. You can send your application when your connection returns."],

  // --- kept on the device, waiting to send ---
  waiting_heading: ["Gönderilmeyi bekliyor", "Waiting to send"],
  waiting_intro: ["Bu başvurular bağlantı olmadığı için bu cihazda şifreli olarak saklanıyor ve bağlantı gelince kendiliğinden gönderilir. Başvuru numaranız ve takip kodunuz, başvuru gönderilince burada görünür ve SMS ile gelir.",
    "These applications are kept encrypted on this device because there was no connection, and go out by themselves when it returns. Your application number and tracking code show here once one is sent, and come by SMS."],
  waiting_kept: ["Bağlantı olmadığı için başvurunuz bu cihazda saklandı; bağlantı gelince gönderilecek.",
    "There was no connection, so your application is kept on this device; it will be sent when the connection returns."],
  waiting_saved_at: ["Saklandığı zaman", "Kept at"],
  waiting_no_subject: ["(başlıksız)", "(no subject)"],
  waiting_send_now: ["Şimdi gönder", "Send now"],
  waiting_discard: ["Sil", "Discard"],
  waiting_discard_label: ["“{subject}” başvurusunu sil", "Discard the application “{subject}”"],
  waiting_discard_heading: ["Saklanan başvuru silinsin mi?", "Discard the kept application?"],
  waiting_discard_text: ["Bu başvuru gönderilmeyecek ve bu cihazdan silinecek.", "This application will not be sent and is deleted from this device."],
  waiting_discard_confirm: ["Evet, sil", "Yes, discard it"],
  waiting_discarded: ["Saklanan başvuru silindi.", "The kept application was discarded."],
  waiting_still_offline: ["Bağlantı hâlâ yok; başvuru bağlantı gelince gönderilecek.",
    "Still no connection; the application will be sent when it returns."],
  waiting_refused: ["Saklanan başvurunuzda düzeltilmesi gereken alanlar var: düzeltip yeniden gönderin.",
    "Your kept application has fields to correct: correct them and send it again."],
});
