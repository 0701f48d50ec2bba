/**
 * Language identification accuracy and speed on a small multilingual set of short feedback-like
 * sentences (LANGUAGE_SET below, written for this project), ours beside franc and eld, measured in
 * the same run.
 *
 *   node --conditions=@tributary/source --import tsx bench/language.ts [--misses]
 *
 * franc is used as it ships (its default 187 languages, ISO 639-3 codes mapped to 639-1, its default
 * minimum length of 10 characters); eld with its 'medium' database (ISO 639-1). A language a detector
 * does not support still counts against it: the question is which tool to use, not how each does on its
 * own list.
 */
import { franc } from 'franc';
import { eld } from 'eld/medium';
import { createLanguageDetector } from '@tributary/core/analyzers/language';

const ISO3_TO_1: Readonly<Record<string, string>> = {
  eng: 'en', spa: 'es', fra: 'fr', deu: 'de', ita: 'it', por: 'pt', nld: 'nl', swe: 'sv', dan: 'da', nob: 'no', nno: 'no',
  fin: 'fi', pol: 'pl', ces: 'cs', slk: 'sk', ron: 'ro', hun: 'hu', tur: 'tr', vie: 'vi', ind: 'id', cat: 'ca', hrv: 'hr',
  slv: 'sl', est: 'et', ekk: 'et', lit: 'lt', lvs: 'lv', lav: 'lv', rus: 'ru', ukr: 'uk', bul: 'bg', srp: 'sr', mkd: 'mk',
  bel: 'be', ell: 'el', arb: 'ar', ara: 'ar', pes: 'fa', fas: 'fa', urd: 'ur', heb: 'he', hin: 'hi', ben: 'bn', jpn: 'ja',
  cmn: 'zh', zho: 'zh', kor: 'ko', tha: 'th', bos: 'bs', zlm: 'ms', afr: 'af', glg: 'gl', tgl: 'tl', swh: 'sw', als: 'sq',
};

interface Contender {
  name: string;
  detect(text: string): string;
}

const ours = createLanguageDetector();
const contenders: Contender[] = [
  { name: 'tributary', detect: (t) => ours(t).code },
  { name: 'franc', detect: (t) => { const c = franc(t); return ISO3_TO_1[c] ?? c; } },
  { name: 'eld (medium)', detect: (t) => eld.detect(t).language || 'und' },
];

function main(): void {
  const showMisses = process.argv.includes('--misses');
  const samples = [
    ...Object.entries(LANGUAGE_SET).flatMap(([code, texts]) => texts.map((text, i) => ({ code, text, short: i < 2, heldOut: false }))),
    ...Object.entries(HELD_OUT).flatMap(([code, texts]) => texts.map((text) => ({ code, text, short: false, heldOut: true }))),
  ];
  const languages = Object.keys(LANGUAGE_SET);
  console.log(`Language identification: ${samples.length} sentences in ${languages.length} languages, written for this project:`);
  console.log('5 per language seen while tuning (2 of them a few words only, "short"), 3 per language held out.');
  console.log('');
  const header = `${'detector'.padEnd(14)} ${'all'.padStart(7)} ${'held-out'.padStart(9)} ${'short'.padStart(7)} ${'docs/s'.padStart(9)}`;
  console.log(header);
  console.log('-'.repeat(header.length));
  const misses = new Map<string, string[]>();
  for (const c of contenders) {
    // Ten full passes first: the JIT compiles each detector's hot paths only after a few thousand calls,
    // and a short warm-up timed that compilation rather than the detector.
    for (let r = 0; r < 10; r++) for (const s of samples) c.detect(s.text);
    let correct = 0;
    let shortCorrect = 0;
    let shortTotal = 0;
    let heldCorrect = 0;
    let heldTotal = 0;
    const wrong: string[] = [];
    for (const s of samples) {
      const got = c.detect(s.text);
      if (s.short) shortTotal++;
      if (s.heldOut) heldTotal++;
      if (got === s.code) {
        correct++;
        if (s.short) shortCorrect++;
        if (s.heldOut) heldCorrect++;
      } else wrong.push(`${s.heldOut ? '(held-out) ' : ''}${s.code}→${got}: ${s.text}`);
    }
    // Speed over repeated passes so that the timing is not dominated by timer resolution; the best of
    // five blocks, which filters out pauses of a machine busy with other work.
    const rounds = 20;
    let seconds = Infinity;
    for (let block = 0; block < 5; block++) {
      const started = process.hrtime.bigint();
      for (let r = 0; r < rounds; r++) for (const s of samples) c.detect(s.text);
      seconds = Math.min(seconds, Number(process.hrtime.bigint() - started) / 1e9);
    }
    console.log(
      `${c.name.padEnd(14)} ${pct(correct / samples.length).padStart(7)} ${pct(heldCorrect / heldTotal).padStart(9)} ${pct(shortCorrect / shortTotal).padStart(7)} ${Math.round((rounds * samples.length) / seconds).toString().padStart(9)}`,
    );
    misses.set(c.name, wrong);
  }
  if (showMisses) {
    for (const [name, wrong] of misses) {
      console.log(`\n${name} misses (${wrong.length}):`);
      for (const w of wrong) console.log(`  ${w}`);
    }
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** Five sentences per language, written for this project (not taken from any corpus or package); the unit tests use other sentences. */
const LANGUAGE_SET: Readonly<Record<string, readonly string[]>> = {
  en: [
    'Thanks, that fixed it!',
    'Where can I download the invoice?',
    'The new dashboard loads much faster than the old one, nice work.',
    'I have been waiting for a reply from support since Monday.',
    'Could you add an option to export the report as a spreadsheet?',
  ],
  es: [
    '¡Muchas gracias por la ayuda!',
    'No funciona desde ayer.',
    'La aplicación se cierra cada vez que intento subir una foto.',
    'Me gustaría saber cuándo estará disponible la nueva versión.',
    'El envío llegó tarde y la caja estaba rota.',
  ],
  fr: [
    'Merci beaucoup, ça marche !',
    'Je ne trouve pas le bouton.',
    "L'application plante dès que je veux ouvrir mes paramètres.",
    'Pouvez-vous me dire quand la commande sera livrée ?',
    'Le service client a été très aimable et rapide.',
  ],
  de: [
    'Vielen Dank für die schnelle Hilfe!',
    'Das geht leider nicht.',
    'Seit dem letzten Update kann ich mich nicht mehr anmelden.',
    'Wann wird die neue Funktion für alle Nutzer freigeschaltet?',
    'Die Lieferung kam pünktlich, aber die Verpackung war beschädigt.',
  ],
  it: [
    'Grazie mille, tutto risolto!',
    'Non riesco ad accedere.',
    "L'ordine è arrivato in ritardo e mancava un pezzo.",
    'Vorrei sapere se è possibile cambiare il metodo di pagamento.',
    'Il nuovo aggiornamento è molto più veloce, complimenti.',
  ],
  pt: [
    'Muito obrigado pela ajuda!',
    'Não consigo entrar na conta.',
    'O aplicativo fecha sozinho sempre que tento abrir uma foto.',
    'Gostaria de saber quando a encomenda vai chegar.',
    'O atendimento foi rápido e muito simpático, parabéns.',
  ],
  nl: [
    'Bedankt voor de snelle reactie!',
    'Het werkt nog steeds niet.',
    'Sinds de laatste update kan ik geen bestanden meer uploaden.',
    'Wanneer komt de nieuwe versie van de app uit?',
    'De bezorger was heel vriendelijk en het pakket kwam op tijd.',
  ],
  sv: [
    'Tack för hjälpen!',
    'Det fungerar inte längre.',
    'Appen kraschar varje gång jag försöker logga in.',
    'När kommer den nya versionen att finnas tillgänglig?',
    'Leveransen var snabb och kundtjänsten var mycket trevlig.',
  ],
  da: [
    'Tusind tak for hjælpen!',
    'Det virker ikke mere.',
    'Appen lukker ned hver gang jeg prøver at åbne mine beskeder.',
    'Hvornår kommer den nye version af programmet?',
    'Pakken kom hurtigt, og kundeservice var meget venlig.',
  ],
  no: [
    'Tusen takk for hjelpen!',
    'Det fungerer ikke lenger.',
    'Appen krasjer hver gang jeg prøver å logge inn.',
    'Når kommer den nye versjonen av programmet?',
    'Pakken kom raskt, og kundeservice var veldig hyggelig.',
  ],
  fi: [
    'Kiitos paljon avusta!',
    'Se ei toimi enää.',
    'Sovellus kaatuu aina kun yritän kirjautua sisään.',
    'Milloin uusi versio on saatavilla kaikille käyttäjille?',
    'Toimitus oli nopea ja asiakaspalvelu erittäin ystävällistä.',
  ],
  pl: [
    'Dziękuję bardzo za pomoc!',
    'To nadal nie działa.',
    'Aplikacja zamyka się za każdym razem, gdy próbuję się zalogować.',
    'Kiedy będzie dostępna nowa wersja programu?',
    'Przesyłka dotarła szybko, a obsługa klienta była bardzo miła.',
  ],
  cs: [
    'Děkuji moc za pomoc!',
    'Pořád to nefunguje.',
    'Aplikace spadne pokaždé, když se snažím přihlásit.',
    'Kdy bude k dispozici nová verze programu?',
    'Zásilka dorazila rychle a zákaznický servis byl velmi milý.',
  ],
  sk: [
    'Ďakujem veľmi pekne za pomoc!',
    'Stále to nefunguje.',
    'Aplikácia spadne vždy, keď sa pokúšam prihlásiť.',
    'Kedy bude k dispozícii nová verzia programu?',
    'Zásielka prišla rýchlo a zákaznícky servis bol veľmi milý.',
  ],
  ro: [
    'Mulțumesc frumos pentru ajutor!',
    'Tot nu funcționează.',
    'Aplicația se închide de fiecare dată când încerc să mă conectez.',
    'Când va fi disponibilă noua versiune a programului?',
    'Coletul a ajuns repede, iar serviciul clienți a fost foarte amabil.',
  ],
  hu: [
    'Köszönöm szépen a segítséget!',
    'Még mindig nem működik.',
    'Az alkalmazás minden alkalommal összeomlik, amikor be akarok jelentkezni.',
    'Mikor lesz elérhető a program új verziója?',
    'A csomag gyorsan megérkezett, és az ügyfélszolgálat nagyon kedves volt.',
  ],
  tr: [
    'Yardımınız için çok teşekkürler!',
    'Hâlâ çalışmıyor.',
    'Uygulama her giriş yapmaya çalıştığımda kapanıyor.',
    'Programın yeni sürümü ne zaman çıkacak?',
    'Kargo çok hızlı geldi ve müşteri hizmetleri çok ilgiliydi.',
  ],
  vi: [
    'Cảm ơn bạn rất nhiều!',
    'Vẫn không hoạt động.',
    'Ứng dụng bị tắt mỗi khi tôi cố gắng đăng nhập.',
    'Khi nào phiên bản mới của chương trình sẽ ra mắt?',
    'Giao hàng rất nhanh và nhân viên hỗ trợ rất nhiệt tình.',
  ],
  id: [
    'Terima kasih banyak atas bantuannya!',
    'Masih tidak bisa dibuka.',
    'Aplikasinya selalu keluar sendiri setiap kali saya mencoba masuk.',
    'Kapan versi baru dari program ini akan tersedia?',
    'Pengirimannya cepat dan layanan pelanggannya sangat ramah.',
  ],
  ca: [
    'Moltes gràcies per la vostra ajuda!',
    'Encara no funciona.',
    "L'aplicació es tanca cada vegada que intento iniciar la sessió.",
    'Quan estarà disponible la nova versió del programa?',
    "El paquet va arribar molt ràpid i l'atenció al client va ser excel·lent.",
  ],
  hr: [
    'Hvala vam puno na pomoći!',
    'I dalje ne radi.',
    'Aplikacija se zatvori svaki put kad se pokušam prijaviti.',
    'Kada će nova verzija programa biti dostupna?',
    'Paket je stigao brzo, a korisnička služba bila je vrlo ljubazna.',
  ],
  sl: [
    'Najlepša hvala za pomoč!',
    'Še vedno ne deluje.',
    'Aplikacija se zapre vsakič, ko se poskušam prijaviti.',
    'Kdaj bo na voljo nova različica programa?',
    'Paket je prispel hitro, služba za stranke pa je bila zelo prijazna.',
  ],
  et: [
    'Suur aitäh abi eest!',
    'See ei tööta ikka veel.',
    'Rakendus jookseb kokku iga kord, kui ma proovin sisse logida.',
    'Millal tuleb programmi uus versioon välja?',
    'Pakk jõudis kiiresti kohale ja klienditeenindus oli väga sõbralik.',
  ],
  lt: [
    'Labai ačiū už pagalbą!',
    'Vis dar neveikia.',
    'Programėlė užsidaro kiekvieną kartą, kai bandau prisijungti.',
    'Kada bus išleista nauja programos versija?',
    'Siunta atkeliavo greitai, o klientų aptarnavimas buvo labai malonus.',
  ],
  lv: [
    'Liels paldies par palīdzību!',
    'Joprojām nestrādā.',
    'Lietotne aizveras katru reizi, kad mēģinu pieteikties.',
    'Kad būs pieejama jaunā programmas versija?',
    'Sūtījums pienāca ātri, un klientu apkalpošana bija ļoti laipna.',
  ],
  ru: [
    'Большое спасибо за помощь!',
    'Всё ещё не работает.',
    'Приложение закрывается каждый раз, когда я пытаюсь войти.',
    'Когда выйдет новая версия программы?',
    'Посылка пришла быстро, а служба поддержки была очень вежливой.',
  ],
  uk: [
    'Щиро дякую за допомогу!',
    'Досі не працює.',
    'Застосунок закривається щоразу, коли я намагаюся увійти.',
    'Коли вийде нова версія програми?',
    'Посилка прийшла швидко, а служба підтримки була дуже ввічливою.',
  ],
  bg: [
    'Много благодаря за помощта!',
    'Все още не работи.',
    'Приложението се затваря всеки път, когато се опитам да вляза.',
    'Кога ще излезе новата версия на програмата?',
    'Пратката пристигна бързо, а обслужването на клиенти беше много любезно.',
  ],
  sr: [
    'Хвала вам пуно на помоћи!',
    'И даље не ради.',
    'Апликација се затвори сваки пут када покушам да се пријавим.',
    'Када ће нова верзија програма бити доступна?',
    'Пакет је стигао брзо, а корисничка служба је била веома љубазна.',
  ],
  el: [
    'Ευχαριστώ πολύ για τη βοήθεια!',
    'Ακόμα δεν λειτουργεί.',
    'Η εφαρμογή κλείνει κάθε φορά που προσπαθώ να συνδεθώ.',
    'Πότε θα κυκλοφορήσει η νέα έκδοση του προγράμματος;',
    'Το δέμα έφτασε γρήγορα και η εξυπηρέτηση πελατών ήταν πολύ ευγενική.',
  ],
  ar: [
    'شكرا جزيلا على المساعدة!',
    'ما زال لا يعمل.',
    'يغلق التطبيق في كل مرة أحاول فيها تسجيل الدخول.',
    'متى سيصدر الإصدار الجديد من البرنامج؟',
    'وصل الطرد بسرعة وكانت خدمة العملاء لطيفة جدا.',
  ],
  fa: [
    'خیلی ممنون از کمک شما!',
    'هنوز کار نمی‌کند.',
    'برنامه هر بار که می‌خواهم وارد شوم بسته می‌شود.',
    'نسخه جدید برنامه کی منتشر می‌شود؟',
    'بسته خیلی زود رسید و پشتیبانی بسیار مودب بود.',
  ],
  ur: [
    'مدد کا بہت شکریہ!',
    'ابھی تک کام نہیں کر رہا۔',
    'جب بھی میں لاگ ان کرنے کی کوشش کرتا ہوں ایپ بند ہو جاتی ہے۔',
    'پروگرام کا نیا ورژن کب آئے گا؟',
    'پارسل جلدی پہنچ گیا اور کسٹمر سروس بہت اچھی تھی۔',
  ],
  he: [
    'תודה רבה על העזרה!',
    'זה עדיין לא עובד.',
    'האפליקציה נסגרת בכל פעם שאני מנסה להתחבר.',
    'מתי תצא הגרסה החדשה של התוכנה?',
    'החבילה הגיעה מהר ושירות הלקוחות היה אדיב מאוד.',
  ],
  hi: [
    'मदद के लिए बहुत धन्यवाद!',
    'अभी भी काम नहीं कर रहा है।',
    'जब भी मैं लॉग इन करने की कोशिश करता हूँ, ऐप बंद हो जाता है।',
    'प्रोग्राम का नया संस्करण कब आएगा?',
    'पैकेज जल्दी पहुँच गया और ग्राहक सेवा बहुत अच्छी थी।',
  ],
  bn: [
    'সাহায্যের জন্য অনেক ধন্যবাদ!',
    'এখনও কাজ করছে না।',
    'প্রতিবার লগ ইন করার চেষ্টা করলে অ্যাপটি বন্ধ হয়ে যায়।',
    'প্রোগ্রামের নতুন সংস্করণ কবে আসবে?',
    'পার্সেলটি তাড়াতাড়ি পৌঁছেছে এবং গ্রাহক সেবা খুব ভালো ছিল।',
  ],
  ja: [
    'ありがとうございます！',
    'まだ動きません。',
    'ログインしようとするたびにアプリが落ちます。',
    '新しいバージョンはいつ公開されますか？',
    '荷物はすぐに届き、サポートの対応もとても丁寧でした。',
  ],
  zh: [
    '非常感谢你的帮助！',
    '还是不能用。',
    '每次我尝试登录的时候，应用都会闪退。',
    '新版本什么时候发布？',
    '包裹很快就到了，客服的态度也非常好。',
  ],
  ko: [
    '도와주셔서 정말 감사합니다!',
    '아직도 안 돼요.',
    '로그인하려고 할 때마다 앱이 꺼져요.',
    '새 버전은 언제 나오나요?',
    '택배가 빨리 왔고 고객 서비스도 아주 친절했어요.',
  ],
  th: [
    'ขอบคุณมากสำหรับความช่วยเหลือ',
    'ยังใช้งานไม่ได้',
    'แอปปิดตัวเองทุกครั้งที่ฉันพยายามเข้าสู่ระบบ',
    'เวอร์ชันใหม่ของโปรแกรมจะออกเมื่อไหร่',
    'พัสดุมาถึงเร็วมากและฝ่ายบริการลูกค้าก็สุภาพมาก',
  ],
};


/**
 * Three more sentences per language, written after the analyzer was tuned and not used to change it:
 * the held-out part of the benchmark.
 */
const HELD_OUT: Readonly<Record<string, readonly string[]>> = {
  en: ['The price went up again this month.', 'Honestly the best coffee in town.', 'My password reset email never shows up.'],
  es: ['El precio subió otra vez este mes.', 'Sinceramente, el mejor café de la ciudad.', 'Nunca me llega el correo para cambiar la contraseña.'],
  fr: ['Le prix a encore augmenté ce mois-ci.', 'Franchement, le meilleur café de la ville.', "Je ne reçois jamais l'e-mail pour changer mon mot de passe."],
  de: ['Der Preis ist diesen Monat schon wieder gestiegen.', 'Ehrlich gesagt der beste Kaffee der Stadt.', 'Die E-Mail zum Zurücksetzen des Passworts kommt nie an.'],
  it: ['Il prezzo è aumentato di nuovo questo mese.', 'Sinceramente il miglior caffè della città.', "Non mi arriva mai l'email per reimpostare la password."],
  pt: ['O preço subiu outra vez este mês.', 'Sinceramente, o melhor café da cidade.', 'O e-mail para redefinir a senha nunca chega.'],
  nl: ['De prijs is deze maand weer gestegen.', 'Eerlijk gezegd de beste koffie van de stad.', 'De e-mail om mijn wachtwoord te resetten komt nooit aan.'],
  sv: ['Priset har gått upp igen den här månaden.', 'Ärligt talat det bästa kaffet i stan.', 'Mejlet för att återställa lösenordet kommer aldrig fram.'],
  da: ['Prisen er steget igen i denne måned.', 'Ærligt talt den bedste kaffe i byen.', 'Mailen til at nulstille min adgangskode kommer aldrig.'],
  no: ['Prisen har gått opp igjen denne måneden.', 'Ærlig talt den beste kaffen i byen.', 'E-posten for å tilbakestille passordet kommer aldri.'],
  fi: ['Hinta nousi taas tässä kuussa.', 'Rehellisesti sanottuna kaupungin paras kahvi.', 'Salasanan palautusviesti ei koskaan tule perille.'],
  pl: ['Cena znowu wzrosła w tym miesiącu.', 'Szczerze mówiąc, najlepsza kawa w mieście.', 'Mail do resetowania hasła nigdy nie przychodzi.'],
  cs: ['Cena tento měsíc zase stoupla.', 'Upřímně nejlepší káva ve městě.', 'E-mail pro obnovení hesla mi nikdy nepřijde.'],
  sk: ['Cena tento mesiac zase stúpla.', 'Úprimne najlepšia káva v meste.', 'E-mail na obnovenie hesla mi nikdy nepríde.'],
  ro: ['Prețul a crescut din nou luna aceasta.', 'Sincer, cea mai bună cafea din oraș.', 'Nu primesc niciodată e-mailul pentru resetarea parolei.'],
  hu: ['Ebben a hónapban megint emelkedett az ár.', 'Őszintén szólva a város legjobb kávéja.', 'A jelszó-visszaállító e-mail soha nem érkezik meg.'],
  tr: ['Fiyat bu ay yine arttı.', 'Açıkçası şehrin en iyi kahvesi.', 'Şifre sıfırlama e-postası hiç gelmiyor.'],
  vi: ['Giá lại tăng trong tháng này.', 'Thật lòng mà nói, cà phê ngon nhất thành phố.', 'Tôi không bao giờ nhận được email đặt lại mật khẩu.'],
  id: ['Harganya naik lagi bulan ini.', 'Jujur, kopi terbaik di kota ini.', 'Email untuk mengatur ulang kata sandi tidak pernah datang.'],
  ca: ['El preu ha tornat a pujar aquest mes.', 'Sincerament, el millor cafè de la ciutat.', 'No em arriba mai el correu per restablir la contrasenya.'],
  hr: ['Cijena je ovaj mjesec opet porasla.', 'Iskreno, najbolja kava u gradu.', 'E-mail za promjenu lozinke nikad ne stigne.'],
  sl: ['Cena se je ta mesec spet zvišala.', 'Iskreno, najboljša kava v mestu.', 'E-pošta za ponastavitev gesla nikoli ne pride.'],
  et: ['Hind tõusis sel kuul jälle.', 'Ausalt öeldes linna parim kohv.', 'Parooli lähtestamise e-kiri ei jõua kunagi kohale.'],
  lt: ['Kaina šį mėnesį vėl pakilo.', 'Atvirai kalbant, geriausia kava mieste.', 'Slaptažodžio atkūrimo laiškas niekada neateina.'],
  lv: ['Cena šomēnes atkal pieauga.', 'Godīgi sakot, labākā kafija pilsētā.', 'Paroles atiestatīšanas e-pasts nekad nepienāk.'],
  ru: ['Цена в этом месяце опять выросла.', 'Честно говоря, лучший кофе в городе.', 'Письмо для сброса пароля так и не приходит.'],
  uk: ['Ціна цього місяця знову зросла.', 'Чесно кажучи, найкраща кава в місті.', 'Лист для скидання пароля так і не приходить.'],
  bg: ['Цената отново се вдигна този месец.', 'Честно казано, най-хубавото кафе в града.', 'Имейлът за смяна на паролата така и не идва.'],
  sr: ['Цена је овог месеца поново порасла.', 'Искрено, најбоља кафа у граду.', 'Имејл за промену лозинке никад не стигне.'],
  el: ['Η τιμή ανέβηκε ξανά αυτόν τον μήνα.', 'Ειλικρινά, ο καλύτερος καφές της πόλης.', 'Το email για επαναφορά του κωδικού δεν έρχεται ποτέ.'],
  ar: ['ارتفع السعر مرة أخرى هذا الشهر.', 'بصراحة أفضل قهوة في المدينة.', 'رسالة إعادة تعيين كلمة المرور لا تصل أبدا.'],
  fa: ['قیمت این ماه دوباره بالا رفت.', 'راستش بهترین قهوه شهر است.', 'ایمیل بازیابی رمز عبور هیچ وقت نمی‌رسد.'],
  ur: ['اس مہینے قیمت پھر بڑھ گئی۔', 'سچ پوچھیں تو شہر کی سب سے اچھی کافی۔', 'پاس ورڈ ری سیٹ کرنے کی ای میل کبھی نہیں آتی۔'],
  he: ['המחיר עלה שוב החודש.', 'בכנות, הקפה הכי טוב בעיר.', 'המייל לאיפוס הסיסמה אף פעם לא מגיע.'],
  hi: ['इस महीने फिर से कीमत बढ़ गई।', 'सच कहूँ तो शहर की सबसे अच्छी कॉफ़ी।', 'पासवर्ड रीसेट करने वाला ईमेल कभी नहीं आता।'],
  bn: ['এই মাসে আবার দাম বেড়েছে।', 'সত্যি বলতে শহরের সেরা কফি।', 'পাসওয়ার্ড রিসেট করার ইমেল কখনও আসে না।'],
  ja: ['今月もまた値段が上がりました。', '正直、この街で一番おいしいコーヒーです。', 'パスワード再設定のメールが届きません。'],
  zh: ['这个月价格又涨了。', '说实话，这是城里最好喝的咖啡。', '重置密码的邮件一直收不到。'],
  ko: ['이번 달에 가격이 또 올랐어요.', '솔직히 동네에서 제일 맛있는 커피예요.', '비밀번호 재설정 메일이 안 와요.'],
  th: ['เดือนนี้ราคาขึ้นอีกแล้ว', 'พูดตรงๆ กาแฟที่อร่อยที่สุดในเมือง', 'อีเมลรีเซ็ตรหัสผ่านไม่เคยมาเลย'],
};

main();
