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
  nav_desk: ["Masa başvurusu", "Desk intake"],
  nav_queue: ["Başvurular", "Applications"],
  nav_stats: ["İstatistik", "Statistics"],
  desk_heading: ["Masada başvuru alın", "Take an application at the desk"],
  queue_heading: ["Başvurular", "Applications"],
  filters: ["Süzgeçler", "Filters"],
  filter: ["Süz", "Filter"],
  all: ["Tümü", "All"],
  overdue_only: ["Yalnızca süresi geçenler", "Overdue only"],
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
};

export function currentLanguage() {
  const stored = localStorage.getItem(STORE_KEY);
  return LANGUAGES.includes(stored) ? stored : "tr";
}

export function t(key) {
  const entry = STRINGS[key];
  if (!entry) return key;
  return entry[currentLanguage() === "en" ? 1 : 0];
}

// A catalogue name {tr, en}, or a code looked up among the strings (status_routed…).
export function localName(name) {
  if (name && typeof name === "object") return name[currentLanguage()] || name.tr;
  return name;
}

export function translatePage(root = document) {
  document.documentElement.lang = currentLanguage();
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
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

export function formatDate(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(currentLanguage() === "en" ? "en-GB" : "tr-TR",
    { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Istanbul" });
}
