// The tracking page's own texts (the lost code, the offline view, the printed answer), Turkish and
// English, added to the shared table (i18n.js addStrings).
import { addStrings } from "../common/i18n.js";

addStrings({
  track_title: ["Başvurunuzu takip edin · Açık Kapı", "Track your application · Açık Kapı"],
  track_intro: ["Başvuru numaranızı ve SMS ile gelen takip kodunuzu yazın.",
    "Enter your application number and the tracking code that came by SMS."],

  // --- a lost tracking code ---
  lost_code_summary: ["Takip kodumu unuttum", "I forgot my tracking code"],
  lost_code_intro: ["Başvuru numaranızı ve T.C. kimlik numaranızı yazın. İkisi aynı başvuruya aitse takip kodu, başvuruda verdiğiniz cep telefonuna SMS ile gönderilir (bir saatte en çok bir kez).",
    "Enter your application number and your Turkish ID number. If both belong to the same application, its tracking code goes by SMS to the mobile phone given in the application (at most once an hour)."],
  lost_code_send: ["Takip kodunu SMS ile gönder", "Send the tracking code by SMS"],
  lost_code_national_id_hint: ["11 haneli numara; bu sayfada saklanmaz.", "11 digits; this page does not keep it."],
  lost_code_too_many: ["Çok sayıda deneme yapıldı; lütfen daha sonra tekrar deneyin.",
    "Too many attempts; please try again later."],

  // --- the two deadlines: Açık Kapı's answer target and the law's limit ---
  statutory_due_at: ["Kanuni son tarih", "Legal deadline"],
  days_left: ["{n} gün kaldı", "{n} days left"],
  days_left_one: ["1 gün kaldı", "1 day left"],
  days_left_today: ["bugün", "today"],
  days_past: ["{n} gün geçti", "{n} days past"],
  days_past_one: ["1 gün geçti", "1 day past"],

  // --- who looked at my data (KVKK) ---
  access_log_heading: ["Kişisel verilerinize kimler erişti?", "Who has looked at your personal data?"],
  access_log_intro: ["Personelin başvurunuzdaki kişisel verilerinizi her görüntüleyişi kaydedilir: ne zaman, hangi görevde, hangi birimde ve hangi amaçla. Görevlilerin adları gösterilmez.",
    "Every time staff view the personal data in your application it is recorded: when, in which role, in which unit and why. Officers' names are not shown."],
  access_log_none: ["Henüz hiçbir görevli kişisel verilerinizi görüntülemedi.",
    "No officer has viewed your personal data yet."],

  // --- the device's copy, offline ---
  offline_last_view: ["Çevrimdışısınız: bu, {time} itibarıyla gördüğünüz son durumdur.",
    "You are offline: this is the last status you saw, as of {time}."],
  offline_answer_hidden: ["Cevabın metni bu cihazda saklanmaz; okumak için bağlantınız geri geldiğinde yeniden sorgulayın.",
    "The answer's text is not kept on this device; look it up again when you are back online to read it."],

  // --- the printed answer ---
  print_answer: ["Cevabı yazdır", "Print the answer"],
  letter_state: ["T.C.", "REPUBLIC OF TÜRKİYE"],
  letter_office: ["Açık Kapı Bürosu", "Açık Kapı Office"],
  letter_number: ["Sayı", "Ref."],
  letter_date: ["Tarih", "Date"],
  letter_subject: ["Konu", "Subject"],
  letter_subject_text: ["Açık Kapı başvurunuz hk.", "Your Açık Kapı application"],
  letter_salutation: ["Sayın Başvuru Sahibi,", "Dear Applicant,"],
  letter_opening: ["{date} tarihinde yaptığınız “{kind}” türündeki, “{category}” konulu {no} sayılı başvurunuz {unit} tarafından incelenmiş ve aşağıdaki şekilde cevaplanmıştır.",
    "Your application {no} of {date} (kind: {kind}; category: {category}) has been examined by {unit}, whose answer follows."],
  letter_outcome: ["Sonuç: {outcome}", "Outcome: {outcome}"],
  letter_closing: ["Bilgilerinize sunulur.", "For your information."],
  letter_footer: ["Bu cevabı {url} adresinde başvuru numaranız ve takip kodunuzla her zaman görebilirsiniz.",
    "You can read this answer at any time at {url} with your application number and tracking code."],
});
