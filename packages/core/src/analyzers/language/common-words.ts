/**
 * Very frequent words (articles, pronouns, auxiliaries, prepositions, conjunctions, everyday words) of each
 * language that shares a script with others. Written for this project from general knowledge of the
 * languages; they decide short texts, where character trigrams alone are weak evidence.
 */
export const COMMON_WORDS: Readonly<Record<string, string>> = {
  en: "hello hi hey thank thanks yes yeah ok okay sorry there's i've i'll i'd you're we're they're cannot still again the and of to in is it you that was for on are with as be this have from or had by not but what all were we when " +
    "your can said there use an each which she do how their if will up other about out many then them these so some her would " +
    "make like him into has look more write go see no way could people my than been who its now find down did get come made may " +
    "i me just don't it's i'm really very thanks please great good love hate doesn't isn't can't won't app should",
  es: "funciona todavía aún nunca nadie gracias hola vale el la de que y en los se del las un por con no una su para es al lo como más pero sus le ya o este sí porque esta entre " +
    "cuando muy sin sobre también me hasta hay donde quien desde todo nos durante todos uno les ni contra otros ese eso ante " +
    "ellos e esto mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella " +
    "estar estas algunas algo nosotros mi mis tú te ti tu tus ellas nosotras vosotros os mío tuyo está están estoy hola gracias " +
    "bien bueno buena años hace puede tiene tengo fue ser son era hoy aquí después",
  fr: "marche fonctionne encore jamais personne merci salut le la les de des du un une et est en que qui dans pour pas au aux ce cette il elle ils elles je tu nous vous on sur " +
    "avec ne se par plus son sa ses mais ou où comme tout tous très bien être avoir fait été a ont sont suis c'est j'ai " +
    "qu'il n'est d'un d'une l'on y ça cela leur leurs mon ma mes ton ta votre vos notre nos même aussi alors donc merci " +
    "bonjour oui non quand encore peu sans chez aujourd'hui peut faut",
  de: "danke hallo ja nein nichts nie niemand etwas immer noch leider wieder funktioniert geht gerne der die das und ist nicht ein eine einen einem einer zu den von mit sich des auf für im dem es an auch als wie wir " +
    "ich du er sie ihr uns noch nach bei aus wird werden wurde war hat haben sein sind bin kann können nur aber oder wenn " +
    "dass daß so schon sehr mehr kein keine diese dieser dieses mein meine dein ihre unser hier jetzt heute immer ganz gut " +
    "danke bitte ja nein man doch mal gibt über unter zum zur vom",
  it: "funziona ancora mai nessuno grazie ciao il lo la i gli le di a da in con su per tra fra e è che non un una uno del della dei degli delle al alla ai agli " +
    "alle nel nella sono sei siamo hanno ha ho come anche ma più se mi ti ci vi si questo questa quello quella molto tutto " +
    "tutti ancora dove quando perché cosa chi io tu lui lei noi voi loro mio mia tuo suo nostro grazie ciao buongiorno bene " +
    "sempre già oggi qui può essere stato fatto",
  pt: "funciona ainda nunca ninguém obrigado olá você o a os as de do da dos das em no na nos nas um uma uns umas e é que não se por para com como mais mas ao aos à às " +
    "seu sua seus suas ele ela eles elas eu você vocês nós me te lhe isso isto esse essa este esta aquele muito também já " +
    "quando onde porque foi ser são está estão estou tem têm tenho há pelo pela pelos pelas obrigado obrigada olá bom boa " +
    "então ainda só sem até depois hoje aqui coisa",
  nl: "werkt nog steeds nooit niemand bedankt hallo de het een en van in is op te dat die niet met zijn voor er aan ook als bij om maar dan nog wat door over ze zo uit " +
    "naar hij zij wij we jij je ik u hem haar ons mijn jouw hun dit deze was waren heeft hebben heb ben bent kan kunnen " +
    "zal zou worden wordt werd geen wel al meer veel nu hier daar toch goed dank bedankt alstublieft ja nee want omdat " +
    "wanneer waar hoe wie altijd",
  sv: "inte längre fortfarande mycket också någon något aldrig ingen bara hur varför vad kommer fungerar är blir måste tack och i att det som en på är av för med till den har de inte om ett han men var jag sig från vi så kan man när år " +
    "säger hon under också efter eller nu sin där vid mot ska skulle kommer ut får finns vara hade alla andra mycket än " +
    "här då sedan över bara in blir upp även vad få två vill ha många hur mer går sina du dig mig min mitt tack hej ja nej " +
    "bra inga något",
  da: "aldrig frem nogen noget nogle meget mere stadig virker ikke hjælp tak tusind godt hvordan hvorfor og i at det er en til på som de med han af for ikke der var mig sig men et har om vi min havde ham hun nu over da " +
    "fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil blev kunne ind når være dog noget ville jo " +
    "deres efter ned skulle denne end dette mit også under have dig anden hende mine alt meget sit sine vor mod disse hvis " +
    "din nogle hos blive mange ad bliver hendes været thi jer sådan tak hej ja nej godt",
  no: "aldri fram noen noe veldig mer fortsatt fungerer lenger ikke hjelp takk tusen bra hvordan hvorfor og i det på som er en til å han av for med at var de ikke den har jeg om et men så seg hun hadde fra vi du kan da " +
    "ble ut skal etter når sin eller vil hva meg ham der være dem mot opp noen bare kunne inn hvor ved oss dette nå også " +
    "over blir mange kom sine deg sitt min mitt hvis ingen noe hvordan fordi ikkje eg tusen takk hei ja nei bra veldig",
  fi: "ja on ei se että hän oli ole olla mutta kun niin kuin myös jo vain tai jos sitä siitä tämä tämän nyt ovat olen " +
    "olet olemme minä sinä me te he mitä mikä kuka missä miten miksi koska vielä sitten aina kaikki paljon hyvin hyvä " +
    "kiitos kyllä moi hei joka jotka sen hänen minun sinun meidän heidän tässä siinä tänään voi voin pitää täytyy enemmän " +
    "eikä ollut",
  pl: "działa jeszcze nigdy nikt dzięki cześć i w nie na się z do to że jest o jak ale co po tak za od jego już przez tylko jej czy bo ten ta te tym tego tej " +
    "są był była było być może mnie mi ja ty on ona my wy oni ich go jej nam was sobie kiedy gdzie dlaczego bardzo też " +
    "jeszcze tu tam teraz dziś dzięki dziękuję proszę tak nie dobrze wszystko który która które jestem jesteś mam ma " +
    "mają będzie dla przy pod nad",
  cs: "moc tohle tuhle tenhle nikdy nikdo nic moje můj tvoje taky fakt hodně všechno ještě už jsem jsi jsou funguje nefunguje děkuji prosím dobrý a v se na je že to s z do o i k by jsem jsi jsme jste jsou byl byla bylo být ale jak tak pro po od za už jen " +
    "jeho její jejich ten ta to tento tato toto který která které co kde kdy proč protože když já ty on ona my vy oni " +
    "mě mi tě ti nás vás mám máš má máme mají není nejsou také ještě velmi moc dobře děkuji prosím ano ne dnes tady teď",
  sk: "túto tento tieto veľmi nikdy nikto nič moja môj moje tiež všetko ešte už som si sú funguje nefunguje ďakujem prosím dobrý stále a v sa na je že to s z do o i k by som si sme ste sú bol bola bolo byť ale ako tak pre po od za už len jeho jej " +
    "ich ten tá toto ktorý ktorá ktoré čo kde kedy prečo pretože keď ja ty on ona my vy oni ma mi ťa ti nás vás mám máš " +
    "má máme majú nie nie je tiež ešte veľmi dobre ďakujem prosím áno dnes tu teraz",
  ro: "și în de la a cu pe nu să care este sunt din pentru o un ca mai dar sau ce se am ai au fost fi va vor mă îmi " +
    "îți își ne vă le lui ei ea el eu tu noi voi lor acest această aceasta acesta asta ăsta foarte bine mulțumesc " +
    "mulțumim vă rog da nu când unde cum de ce pentru că după până fără astăzi aici acum tot toate toți și",
  hu: "a az és hogy nem is egy meg ez azt de van volt már csak el ki be fel le mint még vagy ha sem kell lesz lehet " +
    "nagyon jó köszönöm kérem igen nem én te ő mi ti ők engem téged neki nekem nekünk ezt azért amikor ahol hogyan miért " +
    "mert mit mi itt ott most ma minden sok után alatt között vagyok vagy vagyunk vannak volna lett",
  tr: "ve bir bu da de için ile çok ne gibi daha ama en o ben sen biz siz onlar var yok mi mı mu mü olarak sonra kadar " +
    "değil ise her şey bunu şu ki diye ya veya ancak çünkü nasıl neden nerede zaman şimdi bugün burada teşekkürler " +
    "teşekkür ederim lütfen evet hayır iyi güzel olan oldu olur benim senin bizim onun çok",
  vi: "và của là có không được cho với các những một người này trong đã để khi thì đến từ như tôi bạn anh chị em chúng " +
    "ta họ nó rất cũng nhưng vì nếu đó đây làm nhiều hơn lại ra vào sẽ đang rồi gì nào ai sao bao cảm ơn xin chào vâng " +
    "tốt ngày năm",
  id: "yang dan di ke dari ini itu dengan untuk tidak ada akan pada juga saya kamu dia kami kita mereka anda sudah belum " +
    "bisa dapat harus lebih sangat karena jika kalau atau tetapi tapi seperti oleh dalam bagi hanya masih sedang telah " +
    "apa siapa mengapa bagaimana kapan dimana terima kasih tolong ya baik bagus hari ini sekarang sini sana semua banyak " +
    "satu orang",
  ca: "encara també molt però perquè doncs aquí ara gràcies res ningú mai sempre funciona el la els les de del dels i a en que per amb un una és no es al com però més o hi ho li ens us seu seva seus " +
    "seves aquest aquesta això molt també quan on perquè jo tu ell ella nosaltres vosaltres ells elles meu meva tinc té " +
    "són era ha han fer bé gràcies si sí avui aquí ara tot tots",
  hr: "li način rada svaki put kad nije nitko ništa tko što gdje vrlo jako pokušam radi moja moj uvijek još i u je na se da za su od s sa ne što kao to a ali iz o po do koji koja koje biti bio bila bilo sam si smo ste " +
    "će bi ja ti on ona mi vi oni me mene te tebe nas vas njega nje ovo ono taj ta tko gdje kada zašto jer kako vrlo " +
    "jako dobro hvala molim da ne danas ovdje sada sve još samo",
  sl: "ni nič kdo kaj kje zelo najlepša pa še vedno bila bil bo tudi lahko samo vsak vsakič ko ker deluje moja moj in v je na se da za so od s z ne kot to a ali iz o po do ki bi biti bil bila bilo sem si smo ste bo bodo jaz ti " +
    "on ona mi vi oni me mene te tebe nas vas ga jo ta tisti kdo kje kdaj zakaj ker kako zelo dobro hvala prosim ja ne " +
    "danes tukaj zdaj vse še samo tudi",
  et: "ja on ei see et oli ta mis kui aga ka ning nii siis veel oma selle seda mida mis kes kus kuidas miks sest mina " +
    "sina tema meie teie nemad ma sa me te nad olen oled oleme olete on pole väga hea aitäh palun jah tänan täna siin " +
    "nüüd kõik palju üks",
  lt: "ir į yra kad su iš ne tai kaip bet o ar jo jos jų aš tu jis ji mes jūs jie man tau mano tavo savo buvo bus būti " +
    "labai gerai ačiū prašau taip ne šiandien čia dabar viskas daug kur kada kodėl nes kuris kuri kurie šis ši tas ta",
  lv: "un ir ka ar uz no par bet vai kā ne tas tā to šis šī es tu viņš viņa mēs jūs viņi man tev mans tavs savs bija " +
    "būs būt ļoti labi paldies lūdzu jā nē šodien šeit tagad viss daudz kur kad kāpēc jo kurš kura kas arī vēl tikai",
  tl: "ang ng sa na at ay mga si ni ko mo ka ako ikaw siya kami tayo kayo sila ito iyan iyon hindi oo po opo may mayroon " +
    "wala para kung pero dahil lang din rin naman talaga salamat maraming magandang mabuti ano sino saan kailan bakit paano",
  sw: "na ya wa kwa ni za la katika cha hii hiyo huo kama lakini pia sana mimi wewe yeye sisi ninyi wao yangu yako yake " +
    "yetu hapa sasa leo asante tafadhali ndiyo hapana nzuri habari gani nini nani wapi lini kwa nini kuwa alikuwa kila " +
    "moja watu mtu",
  af: "die en van in is het nie 'n dat te op vir met sy hy ek jy ons hulle was aan ook maar as om by hierdie daardie " +
    "baie goed dankie asseblief ja nee wat wie waar wanneer hoekom hoe kan sal moet nou hier daar alles my jou",
  sq: "dhe në të e i një për me nga që është janë ka kanë do jo po si por ose ky kjo këto ata ato unë ti ai ajo ne ju " +
    "shumë mirë faleminderit ju lutem sot këtu tani gjithë",
  is: "og að í á er sem það ekki við hann hún ég þú við þeir þær það var eru með fyrir til af um en eða svo mjög vel " +
    "takk já nei hér núna allt",
  ga: "agus an na ar is le go i ag a bhí tá sé sí mé tú muid sibh siad ní níl seo sin ach nó chun do faoi mar go raibh " +
    "maith go raibh maith agat dia duit",
  cy: "a ac y yr yn i o ar mae oedd ei fy dy ein eich eu ni chi nhw fi ti fe hi ond neu gyda am wedi bod dim ddim iawn " +
    "diolch os gwelwch yn dda bore da heddiw yma nawr",
  eu: "eta da ez du bat ere baina edo hau hori hura ni zu gu zuek haiek dut duzu dugu dute zen izan egin oso ondo " +
    "eskerrik asko mesedez bai gaur hemen orain dena",
  gl: "ninguén aínda grazas o a os as de do da dos das e en no na nos nas un unha é que non se por para con como máis pero ao á seu súa eu " +
    "ti el ela nós vós eles elas moi tamén xa cando onde porque foi ser son está están grazas ola bo boa hoxe aquí agora",
  ru: "работает ещё никогда никто спасибо привет очень и в не на я что он с как а то это по все она так его но да ты к у же вы за бы от меня еще нет о из ему теперь " +
    "когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может " +
    "они тут где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот " +
    "спасибо пожалуйста привет очень хорошо сегодня",
  uk: "працює ще ніколи ніхто дякую привіт дуже і й в у на не що я він з як а то це по все вона так його але та ти до же ви за б від мене ще ні о із йому тепер " +
    "коли навіть вже або бути був нього вас там потім себе нічого їй може вони тут де є треба для ми тебе їх ніж була " +
    "сам без тому теж собі під буде тоді хто цей дякую будь ласка привіт дуже добре сьогодні",
  bg: "много това работи харесвам но още все никой нищо и в не на аз че той с като а това по всички тя така го но да ти към от ме още не за би от мене вече или бъде " +
    "беше него вас там после себе си нищо тя може те тук къде има трябва за ние теб тях била сам без също под ще тогава " +
    "кой този благодаря моля здравей много добре днес е са съм сме сте",
  sr: "и у је на се да за су од с са не што као то а али из о по до који која које бити био била било сам си смо сте " +
    "ће би ја ти он она ми ви они ме мене те тебе нас вас њега ње ово оно тај та ко где када зашто јер како врло " +
    "јако добро хвала молим данас овде сада све још само",
  mk: "и во е на се да за се од со не што како тоа а но од за по до кој која кое би биде беше сум си сме сте ќе јас " +
    "ти тој таа ние вие тие ме мене те тебе нас вас него неа ова она тој кој каде кога зошто зашто бидејќи многу " +
    "добро благодарам ве молам денес тука сега сè уште само",
  be: "і ў у на не што я ён з як а гэта па усё яна так яго але ты да жа вы за б ад мяне яшчэ няма аб з яму цяпер калі " +
    "нават ужо ці быць быў яго вас там потым сябе нічога ёй можа яны тут дзе ёсць трэба для мы цябе іх была сам без " +
    "таксама пад будзе тады хто гэты дзякуй калі ласка прывітанне вельмі добра сёння",
  kk: "және мен бұл да де бір үшін ол мен сен біз сіз олар жоқ бар емес еді деп деген қазір бүгін мұнда рақмет " +
    "сәлем иә жоқ жақсы өте",
  ar: "في من على أن إلى عن مع هذا هذه التي الذي كان لا ما هو هي كل قد بعد ذلك أو ثم لم إذا عند بين حتى نحن أنا " +
    "أنت هم شكرا مرحبا نعم جدا الآن اليوم هنا",
  fa: "و در به از که این را با است برای آن یک تا هم می ها شد کرد بود خود بر شده نیز باید او ما من تو شما آنها " +
    "چه چرا کجا کی خیلی خوب ممنون سلام بله نه امروز اینجا حالا",
  ur: "کے میں کی ہے اور سے کو کا یہ نے پر ہیں تھا وہ کہ بھی ایک ہو گا تو جو کر تھے اس ان لیے میرا آپ ہم شکریہ " +
    "جی ہاں نہیں بہت اچھا آج یہاں اب",
};
