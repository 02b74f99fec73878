"""Türkçe: every server-side text by its message id (the English is in messages/en.py, same ids).

The first language of every answer: a bilingual text is this one, " / ", then the English.
"""

MESSAGES: dict[str, str] = {
    # The gateway's error answers (gateway/errors.py ERROR_TABLE): the `message` of every error body
    "error.internal": "Beklenmeyen bir hata oluştu.",
    "error.not_found": "Aradığınız kayıt bulunamadı.",
    "error.validation_failed": "Bazı alanlar geçersiz.",
    "error.conflict": "İstek kaydın şimdiki durumuyla çelişiyor.",
    "error.unauthorized": "Kimlik doğrulanamadı.",
    "error.forbidden": "Bu işlem için yetkiniz yok.",
    "error.invalid_api_key": "api_key eksik veya geçersiz.",
    "error.service_timeout": "Hizmet zamanında yanıt vermedi, lütfen tekrar deneyin.",
    "error.service_unavailable": "Hizmet şu anda kullanılamıyor, lütfen tekrar deneyin.",
    "error.malformed_json": "İstek gövdesi geçerli bir JSON değil.",
    "error.payload_too_large": "İstek gövdesi çok büyük.",
    "error.unsupported_media_type": "İstek gövdesi application/json olmalı.",
    "error.rate_limited": "Çok fazla istek gönderildi, lütfen daha sonra tekrar deneyin.",
    "error.method_not_allowed": "Bu adres bu yöntemi desteklemiyor.",
    "error.malformed_http": "İstek geçerli bir HTTP isteği değil.",
    "error.not_acceptable": "İstenen biçimde yanıt verilemiyor.",
    "error.request_timeout": "İstek zamanında tamamlanmadı.",
    "error.length_required": "İstek gövdesinin uzunluğu belirtilmeli.",
    "error.precondition_failed": "İsteğin ön koşulu sağlanmadı.",
    "error.uri_too_long": "İstek adresi çok uzun.",
    "error.range_not_satisfiable": "İstenen bayt aralığı dosyanın dışında.",
    "error.expectation_failed": "Expect başlığı karşılanamıyor.",
    "error.headers_too_large": "İstek başlıkları çok büyük.",
    "error.not_implemented": "Bu istek desteklenmiyor.",
    "error.http_error": "İstek yerine getirilemedi.",
    # Field reasons any request may get (common/fields.py and the field tables in contracts/)
    "field.required": "zorunlu alan",
    "field.unknown": "bilinmeyen alan",
    "field.set_by_server": "sunucu tarafından belirlenir",
    "field.not_an_object": "nesne olmalı",
    "field.not_a_string": "metin olmalı",
    "field.not_a_boolean": "true veya false olmalı",
    "field.control_character": "denetim karakteri içeremez",
    "field.unreadable_text": "eşleşmemiş vekil karakter (U+D800–U+DFFF) veya NUL (U+0000) içeremez",
    "field.not_utf8": "geçerli UTF-8 metin değil",
    "field.year_out_of_range": "{first}–{last} yılları arasında olmalı",
    "field.length": "{shortest}–{longest} karakter olmalı",
    "field.at_most_characters": "en çok {longest} karakter",
    "field.between": "{first}–{last} arası",
    "field.whole_number_between": "{smallest}–{largest} arası tam sayı olmalı",
    "field.whole_number": "1–{maximum} arası tam sayı",
    "field.at_least_one": "en az bir alan",
    "field.invalid_list": "geçersiz liste",
    "field.iso_time": "ISO-8601 zaman olmalı",
    "field.needs_offset": "saat dilimi gerekli",
    "field.date": "YYYY-AA-GG biçiminde bir tarih olmalı (2000–2099)",
    "field.period_order": "başlangıçtan önce olamaz",
    "field.period_too_long": "dönem en çok {days} gün olabilir",
    "field.province_unknown": "bilinmeyen il",
    "field.province_code": "iki haneli il kodu",
    "field.district_unknown": "bu ilde böyle bir ilçe yok",
    "field.unit_invalid": "geçersiz birim",
    # Applications (intake): contracts/intake/requests.py, services/intake/domain.py
    "intake.national_id_format": "0 ile başlamayan 11 rakam olmalı",
    "intake.national_id_invalid": "geçersiz T.C. kimlik numarası",
    "intake.phone_invalid": "geçersiz telefon numarası",
    "intake.phone_not_turkish_mobile": "Türkiye cep telefonu olmalı",
    "intake.name_digits": "rakam içeremez",
    "intake.name_characters": "yalnızca harf; parçalar arasında tek boşluk, kısa çizgi veya kesme işareti",
    "intake.email_invalid": "geçersiz e-posta adresi",
    "intake.district_unknown": "bu ilde böyle bir ilçe yok; ilçeler katalogda",
    "intake.kind_unknown": "geçersiz başvuru türü",
    "intake.category_unknown": "geçersiz kategori",
    "intake.channel_unknown": "geçersiz kanal",
    "intake.channel_not_allowed": "bu giriş noktasında kabul edilmez",
    "intake.language_unknown": "geçersiz dil; tr veya en",
    "intake.idempotency_key_format": "1-100 yazdırılabilir ASCII karakter olmalı",
    "intake.idempotency_key_reused": "Bu Idempotency-Key başka bir istekle kullanıldı.",
    "intake.desk_own_province": "yalnızca masanın bulunduğu il",
    # Identity and phone checks (issue 24): contracts/intake/requests.py, services/intake/identity.py,
    # services/intake/phone_verification.py
    "intake.birth_year_format": "4 haneli bir yıl olmalı",
    "intake.birth_date_format": "YYYY-AA-GG biçiminde bir tarih olmalı",
    "intake.birth_out_of_range": "1900 ile bugün arasında olmalı",
    "intake.verification_id_format": "geçersiz doğrulama numarası",
    "intake.verification_code_format": "SMS ile gelen 6 haneli kod olmalı",
    "identity.mismatch": ("kimlik bilgileri nüfus kaydıyla doğrulanamadı; T.C. kimlik no, ad, soyad ve doğum "
                          "tarihini kimlik kartınızdaki gibi yazın"),
    "identity.registry_unavailable": ("Kimliğiniz şu anda nüfus kaydından doğrulanamıyor; başvurunuz kaydedilmedi. "
                                      "Lütfen birkaç dakika sonra yeniden deneyin."),
    "phone_verification.required": "telefon numaranızı SMS ile gelen kodla doğrulayın",
    "phone_verification.other_phone": "bu doğrulama başka bir telefon numarası için yapıldı",
    "phone_verification.code_needed": "SMS ile gelen kodu yazın",
    "phone_verification.wrong_code": "kod doğru değil; {left} deneme hakkınız kaldı",
    "phone_verification.expired": "doğrulamanın süresi doldu; yeni bir kod isteyin",
    "phone_verification.locked": "kod üç kez yanlış girildi; yeni bir kod isteyin",
    "phone_verification.used": "bu doğrulama bir başvuruda kullanıldı; yeni bir kod isteyin",
    # Routing, units and staff accounts: contracts/routing/requests.py, services/routing/
    "routing.outcome": "positive, negative veya informational olmalı",
    "routing.contact_channel": "phone, in_person veya sms olmalı",
    "routing.unit_type_unknown": "bilinmeyen birim türü",
    "routing.role": "desk, router, unit veya admin olmalı",
    "routing.username": "3–64 karakter: küçük harf, rakam, . _ -",
    "routing.queue_status": "geçersiz durum",
    "routing.queue_sort": "due, received veya status olmalı",
    "routing.unit_not_in_province": "Bu birim bu ilde yok.",
    "routing.unit_inactive": "Bu birim etkin değil.",
    # Issue 23: incidents (services/routing/incidents.py)
    "routing.application_numbers": "1–{most} başvuru numarası (2026-000123 biçiminde) listesi olmalı",
    "incident.in_another": "Bu başvurulardan bazıları başka bir olaya bağlı: {numbers}",
    "incident.not_in_province": "Bu başvurulardan bazıları bu ilde yok ya da görülemiyor: {numbers}",
    "incident.answered": "Bu olay cevaplandı; yeniden yönlendirilemez.",
    "incident.not_routed": "Olay henüz bir birime yönlendirilmedi.",
    "incident.not_your_unit": "Bu olay sizin biriminize yönlendirilmedi.",
    "incident.already_answered": "Bu olay zaten cevaplandı.",
    "routing.only_routed_returned": "Yalnızca yönlendirilmiş başvuru iade edilir.",
    "routing.only_routed_answered": "Yalnızca birime yönlendirilmiş başvuru yanıtlanır.",
    "routing.already_routed": "Başvuru zaten bir birime yönlendirilmiş; önce birim iade etmeli.",
    "routing.already_answered": "Yanıtlanmış başvuru yeniden yönlendirilemez.",
    "routing.state_changed": "Başvuru bu arada değişti; yenileyip tekrar deneyin.",
    "staff.username_taken": "bu kullanıcı adı alınmış",
    "staff.last_admin": ("İlin son etkin yöneticisinin rolü değiştirilemez ve hesabı kapatılamaz; önce "
                         "başka bir yönetici atayın."),
    "staff.unit_required": "birim görevlisi için zorunlu",
    "staff.unit_of_province": "bu ilde etkin bir birim olmalı",
    "staff.unit_only_for_officers": "yalnızca birim görevlileri için",
    "staff.own_province": "yalnızca kendi iliniz",
    # Issue 18, routing: a unit that still has open applications (services/routing/staff.py)
    "routing.unit_has_open_applications": ("Bu birimde {count} açık başvuru var; birim, başvurular cevaplanmadan "
                                           "ya da iade edilmeden kapatılamaz."),
    # Tracking: the citizen's view of an application (services/tracking/public_view.py), in one language
    "tracking.status.received": "Başvurunuz alındı ve kayda geçti.",
    "tracking.status.routed": "Başvurunuz çözüm için ilgili birime iletildi.",
    "tracking.status.returned": "Başvurunuz doğru birime iletilmek üzere yeniden değerlendiriliyor.",
    "tracking.status.answered": "Başvurunuz sonuçlandı; yanıtı aşağıda okuyabilirsiniz.",
    "tracking.considered_with": "Bu başvuru, aynı konudaki {count} başvuruyla birlikte değerlendirildi.",
    "tracking.status.objected": ("Yanıta itirazınız alındı; başvurunuz yeniden değerlendirilmek üzere "
                                 "birime iletildi."),
    # Issue 22: objection and rating after an answer (services/tracking/objections.py, feedback.py)
    "objection.not_answered": "Başvurunuz henüz yanıtlanmadı; itiraz ancak yanıttan sonra yapılabilir.",
    "objection.already_objected": "Bu başvurunun yanıtına zaten itiraz ettiniz; itiraz bir kez yapılabilir.",
    "objection.window_closed": ("İtiraz süresi doldu: yanıta, verildiği günden sonraki {days} gün içinde "
                                "itiraz edilebilir."),
    "feedback.not_answered": "Değerlendirilecek bir yanıt henüz yok.",
    "feedback.already_rated": "Bu yanıtı zaten değerlendirdiniz; her yanıt bir kez değerlendirilebilir.",
    "tracking.sms_failed_notice": ("Size SMS ile ulaşamadık. Başvurunuzun durumunu ve sonucunu Açık Kapı "
                                   "masalarında, web sitesinde ve mobil uygulamada görebilirsiniz."),
    # Notification: delivery reports from the SMS provider
    "notification.unreadable_report": "okunamayan teslim raporu",
    # Open311 (gateway/open311/): statuses, parameter reasons, service definitions
    "open311.status.received": "Başvuru alındı ve kayda geçti.",
    "open311.status.routed": "Başvuru çözüm için ilgili birime iletildi.",
    "open311.status.returned": "Başvuru doğru birime iletilmek üzere yeniden değerlendiriliyor.",
    "open311.status.objected": "Yanıta itiraz edildi; birim yeniden değerlendiriyor.",
    "open311.status.answered": "Başvuru sonuçlandı; yanıt başvuru sahibine iletildi.",
    "open311.received_notice": "Başvuru alındı; başvuru numarası ve takip kodu başvuru sahibine SMS ile gönderildi.",
    "open311.service_code_unknown": "bilinmeyen hizmet kodu",
    "open311.status_filter": "open veya closed olmalı",
    "open311.too_many_ids": "en çok {maximum} numara",
    "open311.end_before_start": "start_date'ten önce olamaz",
    "open311.range_too_long": "aralık en çok {days} gün",
    "open311.w3c_time": "saat dilimli W3C zamanı olmalı (2026-11-01T00:00:00Z)",
    "open311.not_a_form": "application/x-www-form-urlencoded olmalı",
    "open311.group": "Valilik",
    "open311.service_description": "{category} konusunda talep, şikâyet ve öneriler",
    "open311.attribute.kind": "Başvuru türü",
    "open311.attribute.district": "İlçe",
    "open311.attribute.district_datatype": "ilin bir ilçesi; jurisdiction_id ile listelenir",
    "open311.attribute.subject": "Konu",
    "open311.attribute.subject_datatype": "5–150 karakter",
    "open311.attribute.national_id": "Başvuru sahibinin T.C. kimlik no",
    "open311.attribute.national_id_datatype": "11 rakam (T.C. kimlik no veya YKN)",
    "open311.attribute.language": "SMS ve takip dili",
    "open311.attribute.birth_year": "Doğum yılı (kimlik nüfus kaydıyla doğrulanıyorsa; T.C. kimlik no için)",
    "open311.attribute.birth_date": "Doğum tarihi, YYYY-AA-GG (kimlik doğrulanıyorsa; yabancı kimlik no için)",
    "open311.attribute.phone_verification_id": "Telefon doğrulamasının numarası (POST /api/v1/phone-verifications)",
    "open311.attribute.phone_verification_code": "SMS ile gelen 6 haneli kod (doğrulama önceden yapılmadıysa)",
    "open311.contact": "Açık Kapı, valilikler",
    "open311.key_service": "api_key valilik yöneticilerince verilir (POST /api/v1/admin/open311-clients)",
    # Operators: the console of `make run` (common/launcher.py) and the services' logs (common/metrics.py)
    "operator.data_dir_in_use": ("DATA_DIR={folder} başka bir `make run` tarafından kullanılıyor "
                                 "({process}, pid {pid}); önce onu durdurun ya da başka bir DATA_DIR "
                                 "verin."),
    "operator.metrics_port_unavailable": ("{service}: metrik portu {host}:{port} kullanılamıyor "
                                          "({reason}); METRICS_PORT ile boş bir port ya da 0 (sistem "
                                          "seçsin) verin."),
    # SMS texts (services/notification/templates.py): one segment with the longest values, unless said
    "sms.application_received": ("Başvurunuz alındı. Başvuru no: {application_no}, takip kodu: "
                                 "{tracking_code}. Durumunu {tracking_url} adresinden izleyebilirsiniz."),
    # two segments at most: the tracking page with the number filled in (never the code)
    "sms.application_answered": ("Başvurunuz sonuçlandı. Yanıtı takip kodunuzla "
                                 "{tracking_url}/takip?no={application_no} adresinde, mobil uygulamada ve "
                                 "Açık Kapı masasında okuyabilirsiniz."),
    # two segments at most, as the "concluded" text: the link carries the number
    "sms.objection_received": ("{application_no} numaralı başvurunuzun yanıtına itirazınız alındı; birim "
                               "7 gün içinde yeniden yanıtlayacak. Durumu {tracking_url}/takip?no={application_no} "
                               "adresinden izleyebilirsiniz."),
    # Issue 18, intake: the staff queue's search (services/intake/search.py)
    "intake.search_needs_a_word": ("en az 2 harfli bir sözcük, bir başvuru numarası (2026-000123) ya da "
                                   "11 haneli T.C. kimlik no olmalı"),
    "intake.national_id_search_forbidden": ("T.C. kimlik numarasıyla yalnızca yönlendirme görevlileri ve "
                                            "yöneticiler arayabilir."),
    # Issue 18, notification: why an SMS failed (services/notification/failures.py) and its resend
    "notification.failure.invalid_number": "Telefon numarası geçersiz ya da kullanılmıyor.",
    "notification.failure.blocked_number": "Numara SMS almayı engellemiş ya da operatör numarayı engellemiş.",
    "notification.failure.unreachable_subscriber": "Telefona ulaşılamadı (kapalı ya da kapsama dışı).",
    "notification.failure.provider_unavailable": "SMS sağlayıcısına ulaşılamadı ya da zamanında yanıt vermedi.",
    "notification.failure.provider_account": "SMS sağlayıcısı hesabımızı ya da gönderici adımızı kabul etmedi.",
    "notification.failure.no_credit": "SMS sağlayıcısındaki bakiye yetersiz.",
    "notification.failure.expired": "SMS geçerlilik süresi içinde iletilemedi.",
    "notification.failure.rejected": "SMS operatör ya da sağlayıcı tarafından reddedildi.",
    "notification.failure.no_recipient": "Başvuru sahibinin telefon numarası SMS zamanında bilinmiyordu.",
    "notification.failure.unknown": "SMS gönderilemedi; sağlayıcı nedenini açıklamadı.",
    "notification.resend.not_failed": "Yalnızca gönderilemeyen bir SMS yeniden gönderilebilir.",
    "notification.resend.already_resent": "Bu SMS zaten yeniden gönderildi.",
    "notification.resend.number_fault": ("Bu SMS numaradan ötürü gönderilemedi; yeniden göndermek de başarısız "
                                         "olur."),
    "notification.resend.no_recipient": ("Başvuru sahibinin telefon numarası yok (kişisel veriler silinmiş ya "
                                         "da hiç alınmamış)."),
    # Issue 19, intake: the privacy notice version an application records (contracts/intake/requests.py)
    "intake.privacy_notice_version_format": "1–32 harf, rakam, nokta, alt çizgi ya da kısa çizgi olmalı",
    # Issue 19: a lost tracking code (gateway/citizen.py); one answer whether or not anything matched
    "intake.tracking_code_requested": ("Bu başvuru numarası ve T.C. kimlik numarası bir başvuruya aitse, takip "
                                       "kodu kayıtlı telefona SMS ile gönderilir (saatte en çok bir kez)."),
    "sms.tracking_code_reminder": ("Açık Kapı takip kodunuz: {tracking_code}. İstemediyseniz dikkate almayın. "
                                   "Başvurunuzu izlemek için: {tracking_url}/takip?no={application_no}"),
    # Issue 24: the one-time code that proves a phone number (services/notification/verification_codes.py);
    # one segment, no link, nothing of an application
    "sms.phone_verification_code": ("Açık Kapı doğrulama kodunuz: {code}. 5 dakika geçerlidir; kimseyle "
                                    "paylaşmayın. Siz istemediyseniz dikkate almayın."),
    "access_log.role.desk": "Açık Kapı masası görevlisi",
    "access_log.role.router": "Açık Kapı yönlendirme görevlisi",
    "access_log.role.unit": "Birim görevlisi",
    "access_log.role.admin": "Açık Kapı yöneticisi",
    "access_log.office": "Valilik Açık Kapı bürosu",
    "access_log.purpose.application_handling": "Başvurunun işlenmesi",
    "access_log.purpose.search": "Personelin başvuru araması",
    "access_log.purpose.kvkk_export": "KVKK kapsamında verilerinizin dökümü",
    "access_log.purpose.kvkk_erasure": "KVKK kapsamında verilerinizin silinmesi",
    "access_log.unknown_unit": "Bir birim",
    # Issue 23: e-mail when an SMS fails (services/notification/emails.py): Turkish first, then English
    "email.sms_failed_intro": "Size SMS ile ulaşamadığımız için bu bilgiyi e-posta ile gönderiyoruz.",
    "email.footer": "Bu e-posta Açık Kapı tarafından otomatik olarak gönderildi; lütfen yanıtlamayın.",
    "email.application_received.subject": "Açık Kapı başvurunuz alındı: {application_no}",
    "email.application_received.body": ("Açık Kapı başvurunuz alındı.\n\nBaşvuru no: {application_no}\n"
                                        "Takip kodu: {tracking_code}\n\nBaşvurunuzu başvuru numaranız ve takip "
                                        "kodunuzla {tracking_url}/takip?no={application_no} adresinden "
                                        "izleyebilirsiniz."),
    "email.application_answered.subject": "Açık Kapı başvurunuz sonuçlandı: {application_no}",
    "email.application_answered.body": ("{application_no} numaralı Açık Kapı başvurunuz sonuçlandı.\n\nYanıtı "
                                        "takip kodunuzla {tracking_url}/takip?no={application_no} adresinde, "
                                        "mobil uygulamada ve Açık Kapı masalarında okuyabilirsiniz. Yanıtın "
                                        "kendisi e-postayla gönderilmez."),
    "email.tracking_code_reminder.subject": "Açık Kapı takip kodunuz: {application_no}",
    "email.tracking_code_reminder.body": ("{application_no} numaralı başvurunuzun takip kodu: {tracking_code}\n\n"
                                          "Bu kodu siz istemediyseniz bu e-postayı dikkate almayın. Başvurunuzu "
                                          "izlemek için: {tracking_url}/takip?no={application_no}"),
    "email.objection_received.subject": "Açık Kapı itirazınız alındı: {application_no}",
    "email.objection_received.body": ("{application_no} numaralı başvurunuzun yanıtına itirazınız alındı; birim "
                                      "7 gün içinde yeniden yanıtlayacak.\n\nDurumu "
                                      "{tracking_url}/takip?no={application_no} adresinden izleyebilirsiniz."),
}
