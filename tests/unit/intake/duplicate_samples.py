"""A fixed Turkish sample set for the duplicate finder (services/intake/similarity.py): applications
of one district and category as citizens write them — the same incident in other words, other
cases, without Turkish letters, with endings — grouped by incident; every pair within a group is a
duplicate, every pair across groups is not. The texts are the project's own.
"""

# incident → [(subject, description)]
INCIDENTS = {
    "street_light": [
        ("Sokak lambası yanmıyor",
         "Atatürk Caddesi 12 numara önündeki sokak lambası üç gündür yanmıyor, gece çok karanlık."),
        ("SOKAK LAMBASI ARIZALI",
         "Atatürk caddesindeki 12 numaranın önündeki lamba yanmıyor, akşamları sokak karanlık kalıyor."),
        ("sokak lambasi yanmiyor", "Ataturk Caddesi 12 onundeki sokak lambasi gunlerdir yanmiyor, gece karanlik."),
        ("Lamba arızası", "Atatürk Caddesi'ndeki 12 numaralı binanın önündeki sokak lambası arızalı, yanmıyor."),
        ("Karanlık sokak", "Atatürk Caddesi 12 önündeki sokak lambasının yanmaması yüzünden gece sokak karanlık."),
    ],
    "pothole": [
        ("Yoldaki çukur", "Cumhuriyet Mahallesi Lale Sokak girişinde büyük bir çukur var, araçlar zarar görüyor."),
        ("Lale Sokak çukur", "Lale Sokak'ın girişindeki yol çukuru büyüdü, arabalar zarar görüyor, acil onarım."),
        ("YOL ÇUKURU", "Cumhuriyet mahallesi lale sokak girişindeki çukur araçlara zarar veriyor."),
        ("cukur", "Lale sokak girisinde buyuk cukur var araclar zarar goruyor"),
    ],
    "water_leak": [
        ("Su borusu patladı", "İstiklal Sokak 7 numara önünde su borusu patlamış, sabahtan beri yola su akıyor."),
        ("Su kaçağı", "İstiklal Sokak'ta 7 numaranın önünde boru patladı, yol sular altında."),
        ("Patlak boru", "İstiklal sokak 7 önündeki patlak su borusundan sabahtan beri su akıyor."),
    ],
    "stray_dogs": [
        ("Sokak köpekleri",
         "Park Sokak'taki oyun parkında sahipsiz köpekler çocuklara saldırıyor, önlem alınmasını istiyoruz."),
        ("Parkta saldırgan köpekler", "Park sokaktaki çocuk parkında sahipsiz köpekler çocuklara saldırdı."),
        ("sahipsiz kopekler", "park sokak oyun parkinda sahipsiz kopekler cocuklara saldiriyor"),
    ],
    "garbage": [
        ("Çöpler toplanmıyor", "Gül Sokak'taki çöp konteynerleri bir haftadır boşaltılmadı, koku dayanılmaz."),
        ("Çöp konteyneri dolu", "Gül sokaktaki çöp konteynerleri bir haftadır boşaltılmıyor, her yer koku."),
        ("COP SORUNU", "Gul Sokak cop konteynerleri haftadir bosaltilmadi kotu koku var"),
        ("Çöp toplama", "Gül Sokak'ta çöpler bir haftadır toplanmadı, konteynerler taştı ve koku var."),
    ],
    "bus_stop": [
        ("Durak camı kırık", "Okul önündeki otobüs durağının camları kırılmış, yağmurda beklemek mümkün değil."),
        ("Kırık otobüs durağı", "Okulun önündeki otobüs durağının camı kırık, yağmurda bekleyemiyoruz."),
    ],
    # Alone: alike in words with others above but about something else.
    "light_in_park": [
        ("Parkın aydınlatması yetersiz",
         "Park Sokak'taki oyun parkında hiç aydınlatma yok, akşam çocuklar oynayamıyor."),
    ],
    "sidewalk": [
        ("Kaldırım bozuk", "Lale Sokak'taki kaldırım taşları yerinden çıkmış, yaşlılar düşüyor."),
    ],
    "water_cut": [
        ("Su kesintisi", "Mahallemizde iki gündür su yok, kesinti hakkında hiçbir duyuru yapılmadı."),
    ],
    "noise": [
        ("Gürültü", "Atatürk Caddesi'ndeki kafe gece yarısından sonra yüksek sesle müzik çalıyor."),
    ],
    "tree": [
        ("Devrilen ağaç", "Gül Sokak'ta fırtınada devrilen ağaç yolu kapatıyor, araçlar geçemiyor."),
    ],
}
