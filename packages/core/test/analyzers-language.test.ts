import { describe, expect, it } from 'vitest';
import { createLanguageAnalyzer, createLanguageDetector, detectLanguage, languageAnalyzer, SUPPORTED_LANGUAGES } from '@tributary/core/analyzers/language';

/**
 * Short sentences per language, written for these tests (the benchmark in bench/language.ts uses other ones).
 * Each must be identified with the default options.
 */
// cases:start
const CASES: Record<string, string[]> = {
  en: ['I love this app, it works great.', 'My order never arrived and nobody answers my emails.', 'Is there a dark mode?'],
  es: ['Me encanta esta aplicación, funciona muy bien.', 'Mi pedido nunca llegó y nadie responde.', '¿Hay un modo oscuro?'],
  fr: ["J'adore cette application, elle marche très bien.", "Ma commande n'est jamais arrivée et personne ne répond.", 'Y a-t-il un mode sombre ?'],
  de: ['Ich liebe diese App, sie funktioniert super.', 'Meine Bestellung ist nie angekommen und niemand antwortet.', 'Gibt es einen dunklen Modus?'],
  it: ['Adoro questa app, funziona benissimo.', 'Il mio ordine non è mai arrivato e nessuno risponde.', "C'è una modalità scura?"],
  pt: ['Adoro este aplicativo, funciona muito bem.', 'Meu pedido nunca chegou e ninguém responde.', 'Existe um modo escuro?'],
  nl: ['Ik vind deze app geweldig, hij werkt heel goed.', 'Mijn bestelling is nooit aangekomen en niemand reageert.', 'Is er een donkere modus?'],
  sv: ['Jag älskar den här appen, den fungerar jättebra.', 'Min beställning kom aldrig fram och ingen svarar.', 'Finns det ett mörkt läge?'],
  da: ['Jeg elsker denne app, den virker rigtig godt.', 'Min ordre kom aldrig frem, og ingen svarer.', 'Er der en mørk tilstand?'],
  no: ['Jeg elsker denne appen, den fungerer kjempebra.', 'Bestillingen min kom aldri fram, og ingen svarer.', 'Finnes det en mørk modus?'],
  fi: ['Rakastan tätä sovellusta, se toimii todella hyvin.', 'Tilaukseni ei koskaan saapunut eikä kukaan vastaa.', 'Onko sovelluksessa tumma tila?'],
  pl: ['Uwielbiam tę aplikację, działa świetnie.', 'Moje zamówienie nigdy nie dotarło i nikt nie odpowiada.', 'Czy jest tryb ciemny?'],
  cs: ['Tuhle aplikaci miluju, funguje skvěle.', 'Moje objednávka nikdy nedorazila a nikdo neodpovídá.', 'Dá se zapnout tmavý režim?'],
  sk: ['Túto aplikáciu zbožňujem, funguje výborne.', 'Moja objednávka nikdy neprišla a nikto neodpovedá.', 'Dá sa zapnúť tmavý režim?'],
  ro: ['Îmi place foarte mult această aplicație, merge excelent.', 'Comanda mea nu a ajuns niciodată și nimeni nu răspunde.', 'Există un mod întunecat?'],
  hu: ['Imádom ezt az alkalmazást, nagyon jól működik.', 'A rendelésem sosem érkezett meg, és senki sem válaszol.', 'Van sötét mód?'],
  tr: ['Bu uygulamayı çok seviyorum, harika çalışıyor.', 'Siparişim hiç gelmedi ve kimse cevap vermiyor.', 'Karanlık mod var mı?'],
  vi: ['Tôi rất thích ứng dụng này, nó chạy rất tốt.', 'Đơn hàng của tôi chưa bao giờ đến và không ai trả lời.', 'Có chế độ tối không?'],
  id: ['Saya suka sekali aplikasi ini, bekerja dengan baik.', 'Pesanan saya tidak pernah sampai dan tidak ada yang menjawab.', 'Apakah ada mode gelap?'],
  ca: ["M'encanta aquesta aplicació, funciona molt bé.", 'La meva comanda no ha arribat mai i ningú no respon.', 'Hi ha un mode fosc?'],
  hr: ['Obožavam ovu aplikaciju, radi odlično.', 'Moja narudžba nikad nije stigla i nitko ne odgovara.', 'Postoji li tamni način rada?'],
  ru: ['Мне очень нравится это приложение, работает отлично.', 'Мой заказ так и не пришёл, и никто не отвечает.', 'Есть ли тёмная тема?'],
  uk: ['Мені дуже подобається цей застосунок, він чудово працює.', 'Моє замовлення так і не прийшло, і ніхто не відповідає.', 'Чи є темна тема?'],
  bg: ['Много харесвам това приложение, работи отлично.', 'Поръчката ми така и не пристигна и никой не отговаря.', 'Има ли тъмна тема?'],
  el: ['Λατρεύω αυτή την εφαρμογή, δουλεύει τέλεια.', 'Η παραγγελία μου δεν έφτασε ποτέ και κανείς δεν απαντά.', 'Υπάρχει σκοτεινή λειτουργία;'],
  ar: ['أحب هذا التطبيق كثيرا، يعمل بشكل رائع.', 'لم يصل طلبي أبدا ولا أحد يرد.', 'هل يوجد وضع داكن؟'],
  he: ['אני אוהב את האפליקציה הזאת, היא עובדת מצוין.', 'ההזמנה שלי לא הגיעה אף פעם ואף אחד לא עונה.', 'יש מצב כהה?'],
  hi: ['मुझे यह ऐप बहुत पसंद है, यह बढ़िया काम करता है।', 'मेरा ऑर्डर कभी नहीं आया और कोई जवाब नहीं देता।', 'क्या डार्क मोड है?'],
  ja: ['このアプリが大好きです。とても使いやすいです。', '注文した商品が届かず、誰も返事をくれません。', 'ダークモードはありますか？'],
  zh: ['我很喜欢这个应用，非常好用。', '我的订单一直没有到，也没有人回复。', '有深色模式吗？'],
  ko: ['이 앱 정말 좋아요, 아주 잘 작동해요.', '주문한 물건이 오지 않았고 아무도 답장을 안 해요.', '다크 모드가 있나요?'],
  th: ['ฉันชอบแอปนี้มาก ใช้งานได้ดีมาก', 'คำสั่งซื้อของฉันยังไม่มาถึงและไม่มีใครตอบ', 'มีโหมดมืดไหม'],
};
// cases:end

describe('language analyzer', () => {
  for (const [code, sentences] of Object.entries(CASES)) {
    it(`identifies ${code}`, () => {
      for (const text of sentences) expect(detectLanguage(text).code, text).toBe(code);
    });
  }

  it('claims every language it is tested on', () => {
    for (const code of Object.keys(CASES)) expect(SUPPORTED_LANGUAGES).toContain(code);
  });

  it('answers und with low confidence for empty, too short or undeterminable text', () => {
    for (const text of ['', '   ', 'ok', '12345 !!!', '👍👍', 'https://example.com/a/b', '@someone #tag']) {
      const result = detectLanguage(text);
      expect(result.code, text).toBe('und');
      expect(result.confidence, text).toBeLessThan(0.3);
    }
  });

  it('gives higher confidence to longer text', () => {
    const short = detectLanguage('Gracias');
    const long = detectLanguage('Muchas gracias por responder tan rápido, el problema ya está resuelto.');
    expect(long.code).toBe('es');
    expect(long.confidence).toBeGreaterThan(short.confidence);
    expect(long.confidence).toBeGreaterThan(0.8);
  });

  it('keeps confidence in [0, 1] and is deterministic', () => {
    for (const sentences of Object.values(CASES)) {
      for (const text of sentences) {
        const a = detectLanguage(text);
        expect(a.confidence).toBeGreaterThanOrEqual(0);
        expect(a.confidence).toBeLessThanOrEqual(1);
        expect(detectLanguage(text)).toEqual(a);
      }
    }
  });

  it('treats words named like object members as plain words', () => {
    const result = detectLanguage('constructor toString valueOf __proto__ hasOwnProperty');
    expect(Number.isFinite(result.confidence)).toBe(true);
  });

  it('ignores links, handles and hashtags', () => {
    expect(detectLanguage('https://example.com/some/english/words @user Das funktioniert leider gar nicht mehr.').code).toBe('de');
  });

  it('can be narrowed to expected languages', () => {
    const detect = createLanguageDetector({ languages: ['en', 'fr'] });
    expect(detect('Det fungerar inte längre.').code).not.toBe('sv');
    expect(['en', 'fr', 'und']).toContain(detect('Det fungerar inte längre.').code);
  });

  it('is an analyzer that writes analysis.language', async () => {
    expect(languageAnalyzer.name).toBe('language');
    expect(languageAnalyzer.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(languageAnalyzer.provides).toEqual(['language']);
    const analyzer = createLanguageAnalyzer({ minConfidence: 0.5 });
    const result = await analyzer.analyze({ text: 'Bonjour, je voudrais annuler mon abonnement.', analysis: {}, record: {} as never }, { signal: new AbortController().signal });
    expect(result.language).toEqual({ code: 'fr', confidence: expect.any(Number) });
  });
});
