// The tracking page's own texts (the lost code, the offline view, the answer's verification code,
// the rating, the objection, the printed answer), Turkish and English, added to the shared table
// (i18n.js addStrings).
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

  // --- the notice of a failed SMS: where its e-mail went, the address masked ---
  track_notice_email: ["Aynı bilgiyi {email} adresine e-postayla da gönderdik.",
    "We also sent the same by e-mail to {email}."],

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

  // --- the answer's verification code (the page /dogrula checks it) ---
  track_verification_code: ["Doğrulama kodu", "Verification code"],
  track_verification_link: ["Bu cevabın doğruluğunu denetleyin", "Verify this answer"],

  // --- the applicant's rating of an answer ---
  track_rating_heading: ["Cevabı değerlendirin", "Rate the answer"],
  track_rating_question: ["Bu cevaptan ne kadar memnun kaldınız?", "How satisfied are you with this answer?"],
  track_rating_score_1: ["1 – Hiç memnun değilim", "1 – Not at all satisfied"],
  track_rating_score_2: ["2 – Memnun değilim", "2 – Dissatisfied"],
  track_rating_score_3: ["3 – Ne memnunum ne değilim", "3 – Neither satisfied nor dissatisfied"],
  track_rating_score_4: ["4 – Memnunum", "4 – Satisfied"],
  track_rating_score_5: ["5 – Çok memnunum", "5 – Very satisfied"],
  track_rating_comment_label: ["Yorumunuz (isteğe bağlı)", "Your comment (optional)"],
  track_rating_comment_hint: ["En çok 1000 karakter.", "At most 1000 characters."],
  track_rating_send: ["Değerlendirmeyi gönder", "Send your rating"],
  track_rating_score_required: ["Lütfen 1 ile 5 arasında bir puan seçin.", "Please choose a score from 1 to 5."],
  track_rating_thanks: ["Değerlendirmeniz için teşekkürler", "Thank you for your rating"],
  track_rating_given: ["Değerlendirmeniz: {score}/5", "Your rating: {score}/5"],
  track_rating_comment_given: ["Yorumunuz: {comment}", "Your comment: {comment}"],

  // --- the objection (itiraz) to an answer ---
  status_objected: ["İtiraz edildi", "Objected"],
  track_objection_offer_heading: ["Yanıta itiraz", "Object to the answer"],
  track_objection_until: ["Bu cevap sorununuzu çözmediyse {date} tarihine kadar bir kez itiraz edebilirsiniz. İtirazınız cevabı veren birime iletilir ve başvurunuz yeniden incelenir.",
    "If this answer does not settle your matter, you can object once until {date}. Your objection goes to the unit that answered, and your application is examined again."],
  track_objection_text_label: ["İtirazınızın gerekçesi", "Why you object"],
  track_objection_text_hint: ["En az 10, en çok 2000 karakter. Cevabın neden sorununuzu çözmediğini yazın.",
    "10 to 2000 characters. Say why the answer does not settle your matter."],
  track_objection_send: ["İtirazı gönder", "Send the objection"],
  track_objection_heading: ["İtirazınız", "Your objection"],
  track_objection_filed_at: ["İtiraz tarihi", "Objected on"],
  track_objection_pending: ["Birim itirazınızı yeniden inceliyor; cevabı verildiğinde burada okuyabilirsiniz.",
    "The unit is examining your objection; you can read its answer here once it is given."],
  track_objection_answer_heading: ["İtirazınıza verilen cevap", "The answer to your objection"],
  track_print_objection_answer: ["İtiraza verilen cevabı yazdır", "Print the answer to the objection"],

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
  letter_subject_objection: ["Açık Kapı başvurunuza ilişkin itirazınız hk.", "Your objection on your Açık Kapı application"],
  letter_opening_objection: ["{no} sayılı başvurunuza verilen cevaba {date} tarihinde yaptığınız itiraz {unit} tarafından incelenmiş ve aşağıdaki şekilde cevaplanmıştır.",
    "Your objection of {date} to the answer to your application {no} has been examined by {unit}, whose answer follows."],
  letter_verification_code: ["Doğrulama kodu", "Verification code"],
  letter_verification: ["Bu cevabın imzalı aslına uygunluğunu {url} adresinde doğrulama koduyla denetleyebilirsiniz.",
    "You can check that this answer is the signed original at {url} with its verification code."],
  letter_footer: ["Bu cevabı {url} adresinde başvuru numaranız ve takip kodunuzla her zaman görebilirsiniz.",
    "You can read this answer at any time at {url} with your application number and tracking code."],
});
