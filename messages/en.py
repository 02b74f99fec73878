"""English: every server-side text by its message id (the Turkish is in messages/tr.py, same ids).

The second language of every answer: a bilingual text is the Turkish, " / ", then this one.
"""

MESSAGES: dict[str, str] = {
    # The gateway's error answers (gateway/errors.py ERROR_TABLE): the `message` of every error body
    "error.internal": "An unexpected error occurred.",
    "error.not_found": "The record you asked for was not found.",
    "error.validation_failed": "Some fields are invalid.",
    "error.conflict": "The request conflicts with the record's current state.",
    "error.unauthorized": "Authentication failed or is missing.",
    "error.forbidden": "Your role does not allow this action.",
    "error.invalid_api_key": "The api_key is missing or invalid.",
    "error.service_timeout": "The service did not answer in time; please try again.",
    "error.service_unavailable": "The service is unavailable right now; please try again.",
    "error.malformed_json": "The request body is not valid JSON.",
    "error.payload_too_large": "The request body is too large.",
    "error.unsupported_media_type": "The request body must be application/json.",
    "error.rate_limited": "Too many requests; please try again later.",
    "error.method_not_allowed": "This method is not allowed here.",
    "error.malformed_http": "The request is not valid HTTP.",
    "error.not_acceptable": "No answer in an acceptable format.",
    "error.request_timeout": "The request was not completed in time.",
    "error.length_required": "The request body needs a length.",
    "error.precondition_failed": "A precondition of the request failed.",
    "error.uri_too_long": "The request URI is too long.",
    "error.range_not_satisfiable": "The requested byte range is outside the file.",
    "error.expectation_failed": "The Expect header cannot be met.",
    "error.headers_too_large": "The request headers are too large.",
    "error.not_implemented": "This request is not supported.",
    "error.http_error": "The request could not be fulfilled.",
    # Field reasons any request may get (common/fields.py and the field tables in contracts/)
    "field.required": "required",
    "field.unknown": "unknown field",
    "field.set_by_server": "set by the server",
    "field.not_an_object": "must be an object",
    "field.not_a_string": "must be a string",
    "field.not_a_boolean": "must be true or false",
    "field.control_character": "must not contain control characters",
    "field.unreadable_text": "must not contain unpaired surrogates (U+D800–U+DFFF) or NUL (U+0000)",
    "field.not_utf8": "not valid UTF-8 text",
    "field.year_out_of_range": "must be in the years {first}–{last}",
    "field.length": "must be {shortest}–{longest} characters",
    "field.at_most_characters": "at most {longest} characters",
    "field.between": "from {first} to {last}",
    "field.whole_number_between": "must be a whole number from {smallest} to {largest}",
    "field.whole_number": "a whole number from 1 to {maximum}",
    "field.at_least_one": "at least one field",
    "field.invalid_list": "invalid list",
    "field.iso_time": "must be an ISO-8601 time",
    "field.needs_offset": "needs an offset",
    "field.date": "must be a date YYYY-MM-DD (2000–2099)",
    "field.period_order": "must not be before from",
    "field.period_too_long": "the period may be at most {days} days",
    "field.province_unknown": "unknown province",
    "field.province_code": "a two-digit province code",
    "field.district_unknown": "no such district in this province",
    "field.unit_invalid": "invalid unit",
    # Applications (intake): contracts/intake/requests.py, services/intake/domain.py
    "intake.national_id_format": "must be 11 digits not starting with 0",
    "intake.national_id_invalid": "invalid national ID number",
    "intake.phone_invalid": "invalid phone number",
    "intake.phone_not_turkish_mobile": "must be a Turkish mobile number",
    "intake.name_digits": "must not contain digits",
    "intake.name_characters": "letters only, parts separated by one space, hyphen or apostrophe",
    "intake.email_invalid": "invalid email address",
    "intake.district_unknown": "no such district in this province; districts are in the catalogue",
    "intake.kind_unknown": "invalid kind",
    "intake.category_unknown": "invalid category",
    "intake.channel_unknown": "invalid channel",
    "intake.channel_not_allowed": "not accepted at this entry point",
    "intake.language_unknown": "invalid language; tr or en",
    "intake.idempotency_key_format": "must be 1-100 printable ASCII characters",
    "intake.idempotency_key_reused": "This Idempotency-Key was already used with a different request.",
    "intake.desk_own_province": "only the desk's own province",
    # Identity and phone checks (issue 24): contracts/intake/requests.py, services/intake/identity.py,
    # services/intake/phone_verification.py
    "intake.birth_year_format": "must be a 4-digit year",
    "intake.birth_date_format": "must be a date as YYYY-MM-DD",
    "intake.birth_out_of_range": "must be between 1900 and today",
    "intake.verification_id_format": "invalid verification id",
    "intake.verification_code_format": "must be the 6-digit code the SMS brought",
    "identity.mismatch": ("the identity details could not be verified with the population registry; enter the "
                          "ID number, names and birth date as on your identity card"),
    "identity.registry_unavailable": ("Your identity cannot be checked with the population registry right now; "
                                      "your application was not recorded. Please try again in a few minutes."),
    "phone_verification.required": "verify your phone number with the code sent by SMS",
    "phone_verification.other_phone": "this verification was made for another phone number",
    "phone_verification.code_needed": "enter the code the SMS brought",
    "phone_verification.wrong_code": "wrong code; {left} attempt(s) left",
    "phone_verification.expired": "the verification expired; ask for a new code",
    "phone_verification.locked": "the code was entered wrongly three times; ask for a new code",
    "phone_verification.used": "this verification was used for an application; ask for a new code",
    # Routing, units and staff accounts: contracts/routing/requests.py, services/routing/
    "routing.outcome": "must be positive, negative or informational",
    "routing.contact_channel": "must be phone, in_person or sms",
    "routing.unit_type_unknown": "unknown unit type",
    "routing.role": "must be desk, router, unit or admin",
    "routing.username": "3–64 characters: lower-case letters, digits, . _ -",
    "routing.queue_status": "invalid status",
    "routing.queue_sort": "must be due, received or status",
    "routing.unit_not_in_province": "No such unit in this province.",
    "routing.unit_inactive": "This unit is not active.",
    # Issue 23: incidents (services/routing/incidents.py)
    "routing.application_numbers": "must be a list of 1–{most} application numbers (like 2026-000123)",
    "incident.in_another": "Some of these applications belong to another incident: {numbers}",
    "incident.not_in_province": "Some of these applications are not in this province or cannot be seen: {numbers}",
    "incident.answered": "This incident has been answered; it cannot be routed again.",
    "incident.not_routed": "The incident has not been routed to a unit yet.",
    "incident.not_your_unit": "This incident was not routed to your unit.",
    "incident.already_answered": "This incident has already been answered.",
    "routing.only_routed_returned": "Only a routed application can be returned.",
    "routing.only_routed_answered": "Only an application routed to a unit can be answered.",
    "routing.already_routed": "The application is already routed; the unit must return it first.",
    "routing.already_answered": "An answered application cannot be routed.",
    "routing.state_changed": "The application changed meanwhile; reload and try again.",
    "staff.username_taken": "this username is taken",
    "staff.last_admin": ("The last active admin of a province cannot be demoted or deactivated; appoint "
                         "another admin first."),
    "staff.unit_required": "required for a unit officer",
    "staff.unit_of_province": "must be an active unit of this province",
    "staff.unit_only_for_officers": "only for unit officers",
    "staff.own_province": "only your own province",
    # Issue 18, routing: a unit that still has open applications (services/routing/staff.py)
    "routing.unit_has_open_applications": ("Open applications at this unit: {count}. It cannot be deactivated "
                                           "until they are answered or returned."),
    # Tracking: the citizen's view of an application (services/tracking/public_view.py), in one language
    "tracking.status.received": "Your application has been received and recorded.",
    "tracking.status.routed": "Your application has been forwarded to the unit responsible.",
    "tracking.status.returned": "Your application is being reassessed to forward it to the right unit.",
    "tracking.status.answered": "Your application has been concluded; you can read the answer below.",
    "tracking.considered_with": "This application was considered together with {count} others on the same matter.",
    "tracking.status.objected": ("Your objection to the answer was received; the unit will review your "
                                 "application again."),
    # Issue 22: objection and rating after an answer (services/tracking/objections.py, feedback.py)
    "objection.not_answered": "Your application has not been answered yet; an objection can only follow an answer.",
    "objection.already_objected": "You have already objected to this answer; an objection can be made once.",
    "objection.window_closed": ("The time to object has passed: an objection can be made within {days} days "
                                "of the answer."),
    "feedback.not_answered": "There is no answer to rate yet.",
    "feedback.already_rated": "You have already rated this answer; each answer can be rated once.",
    "tracking.sms_failed_notice": ("We could not reach you by SMS. You can read your application's status "
                                   "and result at an Açık Kapı desk, on the website and in the mobile app."),
    # Notification: delivery reports from the SMS provider
    "notification.unreadable_report": "unreadable delivery report",
    # Open311 (gateway/open311/): statuses, parameter reasons, service definitions
    "open311.status.received": "The application has been received and recorded.",
    "open311.status.routed": "Forwarded to the unit responsible.",
    "open311.status.returned": "Being reassessed to forward it to the right unit.",
    "open311.status.objected": "The answer was objected to; the unit is reviewing it again.",
    "open311.status.answered": "Concluded; the answer has been made available to the applicant.",
    "open311.received_notice": ("Received; the application number and tracking code have been sent to the "
                                "applicant by SMS."),
    "open311.service_code_unknown": "unknown service_code",
    "open311.status_filter": "must be open or closed",
    "open311.too_many_ids": "at most {maximum} numbers",
    "open311.end_before_start": "must not be before start_date",
    "open311.range_too_long": "the range may span at most {days} days",
    "open311.w3c_time": "must be a W3C date-time with its offset (2026-11-01T00:00:00Z)",
    "open311.not_a_form": "must be application/x-www-form-urlencoded",
    "open311.group": "Governorship",
    "open311.service_description": "Requests, complaints and suggestions: {category}",
    "open311.attribute.kind": "Kind of application",
    "open311.attribute.district": "District",
    "open311.attribute.district_datatype": "a district of the province; listed when jurisdiction_id is given",
    "open311.attribute.subject": "Subject",
    "open311.attribute.subject_datatype": "5–150 characters",
    "open311.attribute.national_id": "Applicant's national ID",
    "open311.attribute.national_id_datatype": "11 digits (TC Kimlik No or YKN)",
    "open311.attribute.language": "Language of SMS and tracking",
    "open311.attribute.birth_year": "Year of birth (where identities are checked; for a T.C. kimlik no)",
    "open311.attribute.birth_date": "Date of birth, YYYY-MM-DD (where identities are checked; for a foreigner's YKN)",
    "open311.attribute.phone_verification_id": "The phone verification's id (POST /api/v1/phone-verifications)",
    "open311.attribute.phone_verification_code": "The 6-digit code the SMS brought (unless proven already)",
    "open311.contact": "Açık Kapı, the governorships of Turkey",
    "open311.key_service": "api_key is issued by governorship admins (POST /api/v1/admin/open311-clients)",
    # Operators: the console of `make run` (common/launcher.py) and the services' logs (common/metrics.py)
    "operator.data_dir_in_use": ("DATA_DIR={folder} is in use by another `make run` ({process}, pid "
                                 "{pid}): stop it first, or set another DATA_DIR."),
    "operator.metrics_port_unavailable": ("{service}: metrics port {host}:{port} unavailable ({reason}); "
                                          "set METRICS_PORT to a free port, or 0 to let the system choose "
                                          "one."),
    # SMS texts (services/notification/templates.py): one segment with the longest values, unless said
    "sms.application_received": ("Your application has been received. Application no: {application_no}, "
                                 "tracking code: {tracking_code}. Track it at {tracking_url}"),
    # two segments at most: the tracking page with the number filled in (never the code)
    "sms.application_answered": ("Your application has been concluded. Read the answer at "
                                 "{tracking_url}/takip?no={application_no} with your tracking code, in the "
                                 "mobile app or at an Acik Kapi desk."),
    "sms.objection_received": ("Your objection to the answer to application {application_no} was received; "
                               "the unit will answer again within 7 days. Follow it at "
                               "{tracking_url}/takip?no={application_no}"),
    # Issue 18, intake: the staff queue's search (services/intake/search.py)
    "intake.search_needs_a_word": ("must hold a word of at least 2 letters, an application number "
                                   "(2026-000123) or an 11-digit national ID"),
    "intake.national_id_search_forbidden": "Only routers and admins may search by national ID.",
    # Issue 18, notification: why an SMS failed (services/notification/failures.py) and its resend
    "notification.failure.invalid_number": "The phone number is invalid or not in use.",
    "notification.failure.blocked_number": "The number blocks SMS, or the operator blocked the number.",
    "notification.failure.unreachable_subscriber": "The phone could not be reached (switched off or out of range).",
    "notification.failure.provider_unavailable": "The SMS provider could not be reached or did not answer in time.",
    "notification.failure.provider_account": "The SMS provider refused our account or sender name.",
    "notification.failure.no_credit": "Not enough credit at the SMS provider.",
    "notification.failure.expired": "The SMS could not be delivered within its validity period.",
    "notification.failure.rejected": "The SMS was rejected by the operator or the provider.",
    "notification.failure.no_recipient": "The applicant's phone number was not known when the SMS was due.",
    "notification.failure.unknown": "The SMS could not be sent; the provider gave no reason.",
    "notification.resend.not_failed": "Only an SMS that failed can be resent.",
    "notification.resend.already_resent": "This SMS has been resent already.",
    "notification.resend.number_fault": "This SMS failed because of the number; resending it would fail too.",
    "notification.resend.no_recipient": ("The applicant has no phone number on record (personal data erased, or "
                                         "never received)."),
    # Issue 19, intake: the privacy notice version an application records (contracts/intake/requests.py)
    "intake.privacy_notice_version_format": "must be 1–32 letters, digits, dots, underscores or hyphens",
    # Issue 19: a lost tracking code (gateway/citizen.py); one answer whether or not anything matched
    "intake.tracking_code_requested": ("If this application number and ID number belong to an application, its "
                                       "tracking code is sent by SMS to the phone on record (at most once an "
                                       "hour)."),
    "sms.tracking_code_reminder": ("Your Acik Kapi tracking code: {tracking_code}. If you did not ask for it, "
                                   "ignore this SMS. Track it at {tracking_url}/takip?no={application_no}"),
    # Issue 24: the one-time code that proves a phone number (services/notification/verification_codes.py);
    # one segment, no link, nothing of an application
    "sms.phone_verification_code": ("Your Acik Kapi verification code: {code}. Valid for 5 minutes; do not "
                                    "share it with anyone. If you did not ask for it, ignore this SMS."),
    "access_log.role.desk": "Açık Kapı desk officer",
    "access_log.role.router": "Açık Kapı routing officer",
    "access_log.role.unit": "Officer of the unit",
    "access_log.role.admin": "Açık Kapı administrator",
    "access_log.office": "The governorship's Açık Kapı office",
    "access_log.purpose.application_handling": "Handling the application",
    "access_log.purpose.search": "A staff search for applications",
    "access_log.purpose.kvkk_export": "A copy of your data under KVKK",
    "access_log.purpose.kvkk_erasure": "Erasure of your data under KVKK",
    "access_log.unknown_unit": "A unit",
    # Issue 23: e-mail when an SMS fails (services/notification/emails.py): Turkish first, then English
    "email.sms_failed_intro": "We could not reach you by SMS, so we are sending this by e-mail.",
    "email.footer": "This e-mail was sent automatically by Açık Kapı; please do not reply to it.",
    "email.application_received.subject": "Your Açık Kapı application has been received: {application_no}",
    "email.application_received.body": ("Your Açık Kapı application has been received.\n\nApplication no: "
                                        "{application_no}\nTracking code: {tracking_code}\n\nFollow it with "
                                        "your application number and tracking code at "
                                        "{tracking_url}/takip?no={application_no}"),
    "email.application_answered.subject": "Your Açık Kapı application has been concluded: {application_no}",
    "email.application_answered.body": ("Your Açık Kapı application {application_no} has been concluded.\n\n"
                                        "Read the answer with your tracking code at "
                                        "{tracking_url}/takip?no={application_no}, in the mobile app or at an "
                                        "Açık Kapı desk. The answer itself is not sent by e-mail."),
    "email.tracking_code_reminder.subject": "Your Açık Kapı tracking code: {application_no}",
    "email.tracking_code_reminder.body": ("The tracking code of your application {application_no}: "
                                          "{tracking_code}\n\nIf you did not ask for it, ignore this e-mail. "
                                          "Track your application at {tracking_url}/takip?no={application_no}"),
    "email.objection_received.subject": "Your Açık Kapı objection has been received: {application_no}",
    "email.objection_received.body": ("Your objection to the answer to application {application_no} was "
                                      "received; the unit will answer again within 7 days.\n\nFollow it at "
                                      "{tracking_url}/takip?no={application_no}"),
}
