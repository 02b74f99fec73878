// Turkish first, English on request: the choice is kept in localStorage and sets <html lang>.
// Static text: elements with data-i18n="key" (text) or data-i18n-attr="attr:key" (an attribute).
const STORE_KEY = "acikkapi.lang";
export const LANGUAGES = ["tr", "en"];

const STRINGS = {
  skip: ["Ana içeriğe geç", "Skip to main content"],
  switch_language: ["English", "Türkçe"],
  switch_language_label: ["Switch to English", "Türkçe'ye geç"],
  portal_title: ["Açık Kapı", "Açık Kapı (Open Door)"],
  nav_apply: ["Başvuru yap", "Apply"],
  nav_track: ["Başvuru takibi", "Track an application"],
  nav_main: ["Ana menü", "Main menu"],
  apply_heading: ["Başvuru yapın", "Make an application"],
  apply_intro: ["Talep, şikâyet veya önerinizi iletin. Başvuru numaranız ve takip kodunuz SMS ile de gönderilir.",
    "Send your request, complaint or suggestion. Your application number and tracking code also come by SMS."],
  applicant: ["Başvuru sahibi", "Applicant"],
  application: ["Başvuru", "Application"],
  national_id: ["T.C. Kimlik No", "Turkish ID number"],
  first_name: ["Ad", "First name"],
  last_name: ["Soyad", "Last name"],
  phone: ["Cep telefonu", "Mobile phone"],
  email: ["E-posta (isteğe bağlı)", "E-mail (optional)"],
  kind: ["Başvuru türü", "Kind"],
  category: ["Konu", "Category"],
  province: ["İl", "Province"],
  district: ["İlçe", "District"],
  subject: ["Başlık", "Subject"],
  description: ["Açıklama", "Description"],
  choose: ["Seçiniz", "Choose"],
  submit: ["Gönder", "Submit"],
  sending: ["Gönderiliyor…", "Sending…"],
  form_has_errors: ["Formda düzeltilmesi gereken alanlar var.", "Some fields need correcting."],
  received_heading: ["Başvurunuz alındı", "Your application was received"],
  application_no: ["Başvuru numarası", "Application number"],
  tracking_code: ["Takip kodu", "Tracking code"],
  due_at: ["Cevap için son tarih", "Answer due by"],
  keep_these: ["Bu bilgileri saklayın; takip için ikisi de gerekir.", "Keep these: tracking needs both."],
  track_heading: ["Başvurunuzu takip edin", "Track your application"],
  track_button: ["Sorgula", "Look up"],
  not_found: ["Bu numara ve takip koduyla bir başvuru bulunamadı.", "No application matches this number and code."],
  status: ["Durum", "Status"],
  unit: ["Birim", "Unit"],
  received_at: ["Başvuru tarihi", "Received"],
  updated_at: ["Son güncelleme", "Updated"],
  timeline: ["Geçmiş", "Timeline"],
  answer: ["Cevap", "Answer"],
  outcome: ["Sonuç", "Outcome"],
  answered_at: ["Cevap tarihi", "Answered"],
  status_received: ["Alındı", "Received"],
  status_unrouted: ["Yönlendirilmedi", "Not routed"],
  status_routed: ["Birime yönlendirildi", "Routed to a unit"],
  status_returned: ["İade edildi", "Returned"],
  status_answered: ["Cevaplandı", "Answered"],
  status_contacted: ["Başvuru sahibiyle görüşüldü", "Applicant contacted"],
  outcome_positive: ["Olumlu", "Positive"],
  outcome_negative: ["Olumsuz", "Negative"],
  outcome_informational: ["Bilgilendirme", "Informational"],
  error_generic: ["Bir hata oluştu; lütfen tekrar deneyin.", "Something went wrong; please try again."],
  error_unavailable: ["Hizmet şu an yanıt vermiyor; biraz sonra tekrar deneyin.", "The service is not answering; try again shortly."],
  console_title: ["Açık Kapı Personel", "Açık Kapı Staff"],
  login_heading: ["Personel girişi", "Staff sign-in"],
  username: ["Kullanıcı adı", "Username"],
  password: ["Parola", "Password"],
  login: ["Giriş yap", "Sign in"],
  login_failed: ["Kullanıcı adı veya parola hatalı.", "Wrong username or password."],
  logout: ["Çıkış", "Sign out"],
  nav_desk: ["Masa", "Desk"],
  nav_queue: ["Kuyruk", "Queue"],
  nav_stats: ["İstatistik", "Statistics"],
  desk_heading: ["Masada başvuru alın", "Take an application at the desk"],
  queue_heading: ["Başvurular", "Applications"],
  filters: ["Süzgeçler", "Filters"],
  filter: ["Süz", "Filter"],
  all: ["Tümü", "All"],
  overdue_only: ["Yalnızca süresi geçenler", "Overdue only"],
  escalated_only: ["Yalnızca kanuni süresi geçenler", "Past the statutory limit only"],
  overdue: ["Süresi geçti", "Overdue"],
  suggested_unit: ["Önerilen birim", "Suggested unit"],
  no_applications: ["Başvuru yok.", "No applications."],
  total: ["Toplam", "Total"],
  page: ["Sayfa", "Page"],
  previous: ["Önceki", "Previous"],
  next: ["Sonraki", "Next"],
  record_heading: ["Başvuru kaydı", "Application record"],
  audited_read: ["Başvuru sahibinin bilgilerini görüntülemeniz kayıt altına alınır.", "Reading the applicant's details is audited."],
  channel: ["Kanal", "Channel"],
  language: ["Dil", "Language"],
  entered_by: ["Giren", "Entered by"],
  route_heading: ["Birime yönlendir", "Route to a unit"],
  route: ["Yönlendir", "Route"],
  note: ["Not", "Note"],
  contact_heading: ["Başvuru sahibiyle görüşme kaydı", "Record a contact with the applicant"],
  contact_channel: ["Görüşme yolu", "How"],
  contact_phone: ["Telefon", "Phone"],
  contact_in_person: ["Yüz yüze", "In person"],
  contact_sms: ["SMS", "SMS"],
  record_contact: ["Görüşmeyi kaydet", "Record contact"],
  contacts: ["Görüşmeler", "Contacts"],
  answer_heading: ["Cevapla", "Answer"],
  answer_text: ["Cevap metni", "Answer text"],
  send_answer: ["Cevabı gönder", "Send answer"],
  return_heading: ["Yönlendiren birime iade et", "Return to the router"],
  reason: ["Gerekçe", "Reason"],
  return_button: ["İade et", "Return"],
  saved: ["Kaydedildi.", "Saved."],
  erased: ["Kişisel veriler silindi.", "Personal data erased."],
  stats_heading: ["İl istatistikleri", "Province statistics"],
  from: ["Başlangıç", "From"],
  to: ["Bitiş", "To"],
  show: ["Göster", "Show"],
  by_status: ["Duruma göre", "By status"],
  by_kind: ["Türe göre", "By kind"],
  by_channel: ["Kanala göre", "By channel"],
  by_unit: ["Birime göre", "By unit"],
  answered_on_time: ["Zamanında cevaplanan", "Answered on time"],
  median_hours: ["Cevap süresi (medyan, saat)", "Time to answer (median, hours)"],
  p90_hours: ["Cevap süresi (%90, saat)", "Time to answer (90th percentile, hours)"],
  overdue_list: ["Süresi geçenler", "Overdue"],
  overdue_hours: ["Geçen saat", "Hours over"],
  count: ["Adet", "Count"],
  channel_web: ["Web", "Web"],
  channel_app: ["Mobil uygulama", "Mobile app"],
  channel_desk: ["Masa", "Desk"],
  channel_open311: ["Open311", "Open311"],
  actions: ["İşlemler", "Actions"],
  open: ["Aç", "Open"],

  // --- the console's header and session ---
  signed_in_as: ["Oturum açan", "Signed in"],
  role_desk: ["Masa görevlisi", "Desk officer"],
  role_router: ["Yönlendirme görevlisi", "Router"],
  role_unit: ["Birim görevlisi", "Unit officer"],
  role_admin: ["Yönetici", "Administrator"],
  session_expired: ["Oturumunuzun süresi doldu; lütfen yeniden giriş yapın.", "Your session has expired; please sign in again."],
  signed_out: ["Oturumu kapattınız.", "You have signed out."],
  sign_in_to_continue: ["Devam etmek için giriş yapın.", "Sign in to continue."],
  nav_admin: ["Yönetim", "Administration"],
  nav_admin_users: ["Kullanıcılar", "Users"],
  nav_admin_units: ["Birimler", "Units"],
  nav_admin_open311: ["Open311 anahtarları", "Open311 keys"],
  nav_admin_sms: ["Başarısız SMS", "Failed SMS"],
  nav_admin_kvkk: ["KVKK", "KVKK (personal data)"],
  error_network: ["Sunucuya ulaşılamadı; bağlantınızı denetleyip tekrar deneyin.",
    "The server could not be reached; check the connection and try again."],
  field_required: ["Bu alan gerekli.", "This field is required."],
  field_too_short: ["En az {n} karakter olmalı.", "Needs at least {n} characters."],
  cancel: ["Vazgeç", "Cancel"],
  none: ["—", "—"],

  // --- values in words (format.js) ---
  language_tr: ["Türkçe", "Turkish"],
  language_en: ["İngilizce", "English"],
  due_overdue: ["Süresi geçti", "Overdue"],
  due_overdue_one: ["1 gün gecikti", "1 day overdue"],
  due_overdue_days: ["{n} gün gecikti", "{n} days overdue"],
  due_soon: ["1 günden az kaldı", "Less than a day left"],
  due_one_day_left: ["1 gün kaldı", "1 day left"],
  due_days_left: ["{n} gün kaldı", "{n} days left"],
  due_closed: ["Kapandı", "Closed"],
  sms_template_application_received: ["Başvuru alındı bildirimi", "Application received notice"],
  sms_template_application_answered: ["Cevap hazır bildirimi", "Answer ready notice"],
  sms_template_tracking_code_reminder: ["Takip kodu hatırlatması", "Tracking code reminder"],
  sms_template_objection_received: ["İtiraz alındı bildirimi", "Objection received notice"],
  sms_state_queued: ["Sırada", "Queued"],
  sms_state_sending: ["Gönderiliyor", "Sending"],
  sms_state_sent: ["Gönderildi", "Sent"],
  sms_state_delivered: ["İletildi", "Delivered"],
  sms_state_failed: ["Başarısız", "Failed"],
  sms_state_cancelled: ["İptal edildi", "Cancelled"],

  // --- the queue ---
  search_label: ["Ara: başvuru no, T.C. kimlik no veya kelime", "Search: application number, Turkish ID number or words"],
  search_label_unit: ["Ara: başvuru no veya kelime", "Search: application number or words"],
  search: ["Ara", "Search"],
  clear_search: ["Aramayı temizle", "Clear the search"],
  search_summary: ["“{q}” için {n} sonuç ({how}).", "{n} results for “{q}” ({how})."],
  matched_by_number: ["başvuru numarasıyla", "by application number"],
  matched_by_national_id: ["T.C. kimlik numarasıyla", "by Turkish ID number"],
  matched_by_words: ["başlık ve açıklamadaki kelimelerle", "by words of the subject and description"],
  no_search_results: ["Aramanızla eşleşen başvuru yok.", "No application matches your search."],
  status_tabs: ["Duruma göre başvurular", "Applications by status"],
  tab_open: ["Açık", "Open"],
  tab_unrouted: ["Yönlendirilmemiş", "Not routed"],
  tab_routed: ["Birimde", "At a unit"],
  tab_returned: ["İade edilen", "Returned"],
  tab_answered: ["Cevaplanan", "Answered"],
  tab_all: ["Tümü", "All"],
  sort: ["Sıralama", "Sort by"],
  sort_due: ["Son tarih (en yakın önce)", "Due date (soonest first)"],
  sort_received: ["Başvuru tarihi (en yeni önce)", "Received (newest first)"],
  sort_status: ["Durum", "Status"],
  apply_filters: ["Uygula", "Apply"],
  days_left: ["Kalan süre", "Time left"],
  statutory_due: ["Kanuni son tarih: {date}", "Statutory limit: {date}"],
  escalated: ["Kanuni süre aşıldı", "Statutory limit passed"],
  objection_flag: ["İtiraz", "Objection"],
  results_count: ["{n} başvuru", "{n} applications"],
  page_of: ["Sayfa {page} / {pages}", "Page {page} of {pages}"],
  pages_nav: ["Sayfalar", "Pages"],
  suggested_prefix: ["Öneri:", "Suggested:"],
  queue_caption: ["Başvurular, {status}", "Applications, {status}"],

  // --- the record ---
  record_of: ["Başvuru {no}", "Application {no}"],
  back_to_queue: ["Kuyruğa dön", "Back to the queue"],
  answered_by: ["Cevaplayan", "Answered by"],
  sms_heading: ["SMS ve e-postalar", "Text messages and e-mails"],
  sms_template: ["Mesaj", "Message"],
  sms_channel: ["Kanal", "Channel"],
  channel_sms: ["SMS", "SMS"],
  channel_email: ["E-posta", "E-mail"],
  sms_state: ["Durum", "State"],
  sms_attempts: ["Deneme", "Attempts"],
  sms_provider: ["Sağlayıcı", "Provider"],
  sms_last_error: ["Son hata", "Last error"],
  sms_times: ["Zamanlar", "Times"],
  sms_created_at: ["Sıraya alındı", "Queued"],
  sms_sent_at: ["Gönderildi", "Sent"],
  sms_delivered_at: ["İletildi", "Delivered"],
  sms_failed_at: ["Başarısız oldu", "Failed"],
  sms_unavailable: ["SMS durumları şu an alınamadı; sayfayı biraz sonra yenileyin.",
    "The text messages' states could not be fetched just now; reload the page shortly."],
  no_sms: ["Bu başvuru için gönderilmiş SMS yok.", "No text message for this application yet."],
  no_contacts: ["Görüşme kaydı yok.", "No contact recorded."],
  answer_preview_heading: ["Başvuru sahibinin takip sayfasında göreceği", "What the applicant will read on the tracking page"],
  answer_preview_empty: ["Cevap metni yazdıkça burada görünür.", "The answer text appears here as you type."],
  answer_length: ["{n} / 5000 karakter", "{n} / 5000 characters"],
  review_answer: ["Gözden geçir ve gönder", "Review and send"],
  confirm_answer_heading: ["Cevap gönderilsin mi?", "Send the answer?"],
  confirm_answer_text: ["Bu cevap kesindir: gönderildikten sonra değiştirilemez. Başvuru sahibine, cevabın hazır olduğunu bildiren bir SMS gönderilecek.",
    "This answer is final: it cannot be changed once sent. The applicant will get a text message saying the answer is ready."],
  confirm_send: ["Evet, cevabı gönder", "Yes, send the answer"],
  answer_sent: ["Cevap gönderildi; başvuru sahibine SMS gidecek.", "The answer was sent; the applicant will get a text message."],
  contact_saved: ["Görüşme kaydedildi.", "The contact was recorded."],
  routed_ok: ["Başvuru birime yönlendirildi.", "The application was routed to the unit."],
  returned_ok: ["Başvuru yönlendirme görevlisine iade edildi.", "The application was returned to the router."],
  return_hint: ["Başvuru biriminizin görev alanında değilse gerekçesiyle iade edin.",
    "If the application is not your unit's to answer, return it with the reason."],
  officers_none: ["görevli yok", "no officer"],
  officers_one: ["1 görevli", "1 officer"],
  officers_many: ["{n} görevli", "{n} officers"],
  suggested_mark: ["önerilen", "suggested"],
  no_officer_warning: ["Bu birimde etkin görevli yok; başvuru kimsenin önüne düşmez.",
    "This unit has no active officer; the application would reach no one."],
  confirm_route_heading: ["Görevlisi olmayan birime yönlendirilsin mi?", "Route to a unit with no officer?"],
  route_anyway: ["Yine de yönlendir", "Route anyway"],
  status_objected: ["İtiraz edildi", "Objected"],
  timeline_objected: ["Başvuru sahibi cevaba itiraz etti", "The applicant objected to the answer"],
  statutory_due_at: ["Kanuni son tarih", "Statutory limit"],
  escalated_notice: ["Bu başvurunun kanuni cevap süresi (3071 sayılı Kanun) cevapsız geçti.",
    "This application's statutory limit (Law 3071) passed unanswered."],
  objection_heading: ["Başvuru sahibi yanıta itiraz etti", "The applicant objected to the answer"],
  objection_filed_at: ["İtiraz tarihi", "Objected on"],
  objection_text_erased: ["Metin KVKK kapsamında silindi.", "The text was erased under KVKK (the personal data law)."],
  objection_pending: ["Başvuru, cevabı veren birime geri döndü; itiraza cevap bekleniyor.",
    "The application is back with the unit that answered; the objection awaits an answer."],
  first_answer_heading: ["İtiraz edilen yanıt", "The answer objected to"],
  objection_answer_heading: ["İtiraza cevap", "Answer to the objection"],
  answer_objection_heading: ["İtiraza cevap ver", "Answer the objection"],
  verification_code: ["Doğrulama kodu", "Verification code"],

  // --- statistics: escalations and the applicants' ratings ---
  escalated_count: ["Kanuni süresi aşılan", "Past the statutory limit"],
  satisfaction_heading: ["Başvuru sahiplerinin memnuniyeti", "Applicants' satisfaction"],
  satisfaction_summary: ["Ortalama {mean} / 5 ({n} değerlendirme)", "Mean {mean} out of 5 ({n} ratings)"],
  satisfaction_none: ["Bu dönemde değerlendirme yok.", "No ratings in this period."],
  satisfaction_mean: ["Ortalama puan", "Mean score"],
  ratings_count: ["Değerlendirme", "Ratings"],
  score_distribution: ["Puanların dağılımı", "Scores given"],
  score: ["Puan", "Score"],
  score_column: ["{n} puan", "Score {n}"],
  score_1: ["1 · Hiç memnun değil", "1 · Not at all satisfied"],
  score_2: ["2 · Memnun değil", "2 · Dissatisfied"],
  score_3: ["3 · Kararsız", "3 · Neutral"],
  score_4: ["4 · Memnun", "4 · Satisfied"],
  score_5: ["5 · Çok memnun", "5 · Very satisfied"],
  satisfaction_by_unit: ["Birimlere göre memnuniyet", "Satisfaction by unit"],

  // --- the desk's receipt ---
  receipt_title: ["Açık Kapı başvuru belgesi", "Açık Kapı application receipt"],
  receipt_due_words: ["Cevap en geç", "Answer due by"],
  how_to_track_heading: ["Başvurunuzu nasıl izlersiniz", "How to track your application"],
  how_to_track: ["{url} adresinde başvuru numarası ve takip koduyla başvurunuzun durumunu ve cevabını görebilirsiniz.",
    "See the status and the answer of your application at {url} with the application number and the tracking code."],
  how_to_track_sms: ["Numara ve takip kodu cep telefonunuza SMS ile de gönderilir; cevap hazır olduğunda yine SMS ile haber verilir.",
    "The number and the tracking code are also sent to your mobile phone by SMS; another SMS tells you when the answer is ready."],
  print: ["Yazdır", "Print"],
  new_application: ["Yeni başvuru", "New application"],

  // --- likely duplicates on the record (GET /staff/applications/{no}/similar) ---
  similar_heading: ["Benzer başvurular", "Similar applications"],
  similar_hint: ["Aynı başvuru sahibinin ya da aynı ilçe ve konuda benzer metinle yazılmış başvurular: aynı mesele olabilirler.",
    "Applications by the same applicant, or in the same district and category with a similar text: they may be the same matter."],
  similar_loading: ["Benzer başvurular aranıyor…", "Looking for similar applications…"],
  similar_none: ["Benzer başvuru bulunamadı.", "No similar application found."],
  similar_unavailable: ["Benzer başvurular şu an alınamadı; sayfayı biraz sonra yenileyin.",
    "Similar applications could not be fetched just now; reload the page shortly."],
  similar_reasons: ["Neden benzer", "Why similar"],
  reason_same_applicant: ["Aynı başvuru sahibi", "Same applicant"],
  reason_similar_text: ["Benzer metin (%{n})", "Similar text ({n}%)"],
  pick: ["Seç", "Select"],
  pick_application: ["{no} numaralı başvuruyu seç", "Select application {no}"],
  incident: ["Olay", "Incident"],
  incident_open_link: ["olayı aç", "open the incident"],
  incident_part_of: ["Bu başvuru bir olayın parçası:", "This application is part of an incident:"],
  incident_size_one: ["1 başvuru", "1 application"],
  incident_size: ["{n} başvuru", "{n} applications"],
  group_heading: ["Olay olarak grupla", "Group as an incident"],
  group_hint_new: ["Seçtiğiniz başvurular bu başvuruyla birlikte bir olayda toplanır: olay bir kez yönlendirilir ve tek cevapla cevaplanır; her başvuru sahibine kendi SMS'i gider.",
    "The applications you select are grouped with this one as an incident: routed once and answered with one answer; each applicant gets their own text message."],
  group_hint_add: ["Seçtiğiniz başvurular bu başvurunun olayına eklenir.", "The applications you select join this application's incident."],
  group_button: ["Grupla", "Group"],
  group_add_button: ["Olaya ekle", "Add to the incident"],
  group_selected_none: ["Henüz başvuru seçilmedi.", "No application selected yet."],
  group_selected_one: ["1 başvuru seçildi.", "1 application selected."],
  group_selected: ["{n} başvuru seçildi.", "{n} applications selected."],
  group_pick_first: ["Önce tablodan en az bir başvuru seçin.", "Select at least one application in the table first."],
  group_dialog_heading: ["Olay oluşturulsun mu?", "Create an incident?"],
  group_dialog_text: ["Bu başvuru ve seçtiğiniz {n} başvuru, aşağıdaki başlıkla bir olayda toplanacak.",
    "This application and the {n} you selected will be grouped as an incident with the title below."],
  group_confirm: ["Olayı oluştur", "Create the incident"],
  incident_title: ["Olayın başlığı", "Incident title"],
  incident_created: ["Olay oluşturuldu:", "Incident created:"],
  incident_added_one: ["1 başvuru olaya eklendi:", "1 application added to the incident:"],
  incident_added: ["{n} başvuru olaya eklendi:", "{n} applications added to the incident:"],

  // --- the incident page (/konsol/olay) ---
  incident_heading: ["Olay", "Incident"],
  incident_of: ["Olay: {title}", "Incident: {title}"],
  incident_facts: ["Olay bilgileri", "About the incident"],
  incident_missing: ["Adreste bir olay belirtilmemiş.", "The address names no incident."],
  created_by: ["Oluşturan", "Created by"],
  created_at: ["Oluşturulma tarihi", "Created"],
  application_count: ["Başvuru sayısı", "Applications"],
  incident_unit_none: ["Henüz bir birime yönlendirilmedi", "Not routed to a unit yet"],
  incident_applications: ["Olaydaki başvurular", "Applications in the incident"],
  incident_no_applications: ["Görebileceğiniz başvuru yok.", "No application you may see."],
  incident_route_hint: ["Olayın yönlendirilmemiş ya da iade edilmiş her başvurusu bu birime yönlendirilir.",
    "Every application of the incident not yet routed (or returned) is routed to this unit."],
  incident_routed_ok: ["Olay yönlendirildi: {unit}.", "The incident was routed: {unit}."],
  add_heading: ["Başvuru ekle", "Add applications"],
  add_numbers: ["Başvuru numaraları", "Application numbers"],
  // the example numbers with non-breaking hyphens: a number is not cut across two lines
  add_numbers_hint: ["Virgül ya da boşlukla ayırın; ör. 2026\u2011000123, 2026\u2011000124",
    "Separate them with commas or spaces; e.g. 2026\u2011000123, 2026\u2011000124"],
  add_note_routed: ["Eklenen başvurular hemen olayın birimine yönlendirilir.",
    "Applications added are routed to the incident's unit at once."],
  add_note_answered: ["Olay cevaplandı: eklenen başvurular hemen olayın birimine yönlendirilir ve olayın cevabıyla cevaplanır; her başvuru sahibine SMS gider.",
    "The incident has been answered: applications added are routed to its unit at once and answered with its answer; each applicant gets a text message."],
  add_button: ["Başvuru ekle", "Add applications"],
  added_ok_one: ["1 başvuru olaya eklendi.", "1 application added to the incident."],
  added_ok: ["{n} başvuru olaya eklendi.", "{n} applications added to the incident."],
  incident_answer_heading: ["Olayı cevapla", "Answer the incident"],
  incident_answer_hint_one: ["Cevap, olayın biriminizdeki 1 başvurusuna verilir; başvuru kendi doğrulama kodunu alır.",
    "The answer goes to the incident's 1 application at your unit; it gets its own verification code."],
  incident_answer_hint: ["Cevap, olayın biriminizdeki {n} başvurusunun her birine ayrı ayrı verilir; her başvuru kendi doğrulama kodunu alır.",
    "The answer goes to each of the incident's {n} applications at your unit; each gets its own verification code."],
  incident_preview_heading: ["Başvuru sahiplerinin takip sayfasında göreceği", "What the applicants will read on the tracking page"],
  confirm_incident_answer_heading: ["Olay cevaplansın mı?", "Answer the incident?"],
  confirm_incident_answer_text_one: ["Bu cevap kesindir: gönderildikten sonra değiştirilemez. Olaydaki 1 başvuru bu cevapla cevaplanacak ve başvuru sahibine 1 SMS gidecek.",
    "This answer is final: it cannot be changed once sent. The incident's 1 application will be answered with it and its applicant will get 1 text message."],
  confirm_incident_answer_text: ["Bu cevap kesindir: gönderildikten sonra değiştirilemez. Olaydaki {n} başvurunun her biri bu cevapla cevaplanacak ve her başvuru sahibine ayrı bir SMS gidecek: toplam {n} SMS.",
    "This answer is final: it cannot be changed once sent. Each of the incident's {n} applications will be answered with it and each applicant will get their own text message: {n} messages in all."],
  incident_answer_sent: ["Olay cevaplandı; {n} başvuru sahibine SMS gidecek.", "The incident was answered; {n} applicants will get a text message."],
};

// A page's own strings (the admin screens keep theirs beside them): added to the one table.
export function addStrings(entries) {
  Object.assign(STRINGS, entries);
}

export function currentLanguage() {
  const stored = localStorage.getItem(STORE_KEY);
  return LANGUAGES.includes(stored) ? stored : "tr";
}

// ``key``'s text in the current language, its {placeholders} filled from ``params``.
export function t(key, params) {
  return tIn(currentLanguage(), key, params);
}

// The same in ``language`` (the applicant's, for a preview of what they will read).
export function tIn(language, key, params = {}) {
  const entry = STRINGS[key];
  if (!entry) return key;
  const text = entry[language === "en" ? 1 : 0];
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// A catalogue name {tr, en}, or a code looked up among the strings (status_routed…).
export function localName(name) {
  if (name && typeof name === "object") return name[currentLanguage()] || name.tr;
  return name;
}

// Short texts come from the table (data-i18n); long ones (help, privacy notice) are written in the
// HTML once per language, in elements marked data-lang="tr" / "en": only the current one shows.
export function translatePage(root = document) {
  const language = currentLanguage();
  document.documentElement.lang = language;
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-lang]")) {
    element.lang = element.dataset.lang;
    element.hidden = element.dataset.lang !== language;
  }
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of element.dataset.i18nAttr.split(",")) {
      const [attribute, key] = pair.split(":");
      element.setAttribute(attribute, t(key));
    }
  }
}

// Wires the language button; ``onChange`` redraws what the page built from data.
export function setUpLanguage(onChange = () => {}) {
  translatePage();
  const button = document.querySelector("#language-switch");
  if (button) {
    button.addEventListener("click", () => {
      localStorage.setItem(STORE_KEY, currentLanguage() === "tr" ? "en" : "tr");
      translatePage();
      onChange();
    });
  }
}

// Kept for the pages that imported it from here; the formatters live in format.js.
export { formatDate } from "./format.js";
