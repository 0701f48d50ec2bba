/**
 * @module demo/corpus
 * What the demo's simulated customers say about "Tidepool", a made-up notes and file-sync app: praise,
 * complaints, questions, bug reports and feature requests, mostly in English (the built-in sentiment
 * and topic analyzers read English) with German, French, Spanish, Portuguese, Italian, Dutch, Swedish
 * and Polish among them for the language analyzer. A few texts quote markup, as real bug reports do:
 * the dashboard must show them as text.
 */

/** What a text is. */
export type FeedbackKind = 'praise' | 'complaint' | 'question' | 'bug' | 'feature';

/** A theme groups texts into forum topics. */
export type Theme = 'sync' | 'mobile' | 'search' | 'export' | 'login' | 'dark-mode' | 'upload' | 'notifications' | 'pricing' | 'performance' | 'editor' | 'calendar';

export interface FeedbackText {
  theme: Theme;
  kind: FeedbackKind;
  /** ISO 639-1. */
  language: string;
  text: string;
}

/** Forum topic titles per theme (posts of a theme are spread over its topics). */
export const TOPIC_TITLES: Readonly<Record<Theme, readonly string[]>> = {
  sync: ['Offline sync keeps conflicting', 'Sync status stuck at "pending"', 'Sync between laptop and phone'],
  mobile: ['Android app feedback', 'iOS widget ideas', 'Mobile app battery usage'],
  search: ['Search does not find attachments', 'Search improvements thread'],
  export: ['Exporting notes to CSV and PDF', 'Markdown export loses images'],
  login: ['Two-factor authentication problems', 'SSO login loop after update'],
  'dark-mode': ['Dark mode contrast', 'Dark mode for the web editor'],
  upload: ['File upload fails above 100 MB', 'Drag and drop upload'],
  notifications: ['Too many email notifications', 'Push notifications arrive late'],
  pricing: ['Team plan pricing', 'Student discount?'],
  performance: ['Web app is slow with large workspaces', 'Startup time on Windows'],
  editor: ['Editor: tables and code blocks', 'Pasting HTML into the editor'],
  calendar: ['Google Calendar integration', 'Outlook calendar sync request'],
};

/** Forum members (usernames and display names). */
export const MEMBERS: readonly (readonly [username: string, name: string])[] = [
  ['ada', 'Ada Lindqvist'],
  ['bkowalski', 'Bartek Kowalski'],
  ['chloe_m', 'Chloé Martin'],
  ['dev_raj', 'Raj Patel'],
  ['elena.r', 'Elena Rossi'],
  ['femi', 'Femi Adeyemi'],
  ['greta', 'Greta Schmidt'],
  ['hiro', 'Hiro Tanaka'],
  ['ines', 'Inês Carvalho'],
  ['jdoe', 'Jamie Doe'],
  ['kvdberg', 'Koen van den Berg'],
  ['lucia', 'Lucía Fernández'],
  ['mo', 'Mo Haddad'],
  ['nina', 'Nina Petrova'],
  ['oscar', 'Oscar Nilsson'],
  ['priya', 'Priya Sharma'],
];

const en = (theme: Theme, kind: FeedbackKind, text: string): FeedbackText => ({ theme, kind, language: 'en', text });
const other = (language: string, theme: Theme, kind: FeedbackKind, text: string): FeedbackText => ({ theme, kind, language, text });

/** Everything the simulated customers say. */
export const FEEDBACK: readonly FeedbackText[] = [
  // sync
  en('sync', 'praise', 'Offline sync has been rock solid since the last release. I edited notes on a plane for three hours and everything merged perfectly when I landed. Great work!'),
  en('sync', 'bug', 'Sync conflicts every time I edit the same note on my laptop and my phone. The conflict copy is created even when I only changed the title. Really frustrating.'),
  en('sync', 'complaint', 'Sync is broken again after the update. Notes I wrote this morning are missing on my desktop and the status icon just spins forever. This is unacceptable for a paid product.'),
  en('sync', 'question', 'Is there a way to force a full sync? The status has said "pending" for two days and I am not sure which device has the latest version of my notes.'),
  en('sync', 'bug', 'Steps to reproduce: go offline, edit a shared note, come back online. The sync status stays pending and the other members never see the change. Version 4.2.1 on macOS.'),
  en('sync', 'complaint', 'Lost an entire afternoon of meeting notes because sync silently failed. Please add a warning when sync has not worked for a while. I am seriously considering switching.'),
  en('sync', 'praise', 'Love how fast sync is now. Changes show up on my phone before I even pick it up.'),
  en('sync', 'feature', 'Feature request: show the last successful sync time per device, so I know which device is out of date.'),
  // mobile
  en('mobile', 'praise', 'The new Android app is fantastic. Quick capture from the home screen widget is exactly what I needed, and the app feels much smoother than before.'),
  en('mobile', 'bug', 'The iOS app crashes when I open a note with more than twenty images. It happens every time on an iPhone 13 with the latest version.'),
  en('mobile', 'complaint', 'The mobile app drains my battery. Tidepool used 30% of the battery yesterday while running in the background. Please fix this.'),
  en('mobile', 'feature', 'Please add a lock screen widget on iOS to start a new note with one tap. The current widget only shows recent notes.'),
  en('mobile', 'question', 'Does the Android app support tablets in landscape mode? The sidebar disappears when I rotate my tablet.'),
  en('mobile', 'praise', 'Handwriting on the iPad app is wonderful. Pencil support feels natural and the search even finds my handwritten notes. Impressive!'),
  // search
  en('search', 'bug', 'Search does not find text inside PDF attachments even though the help page says attachments are indexed. Searching for an invoice number returns nothing.'),
  en('search', 'feature', 'Would love search filters by date and by author. In a big team workspace the search results are too noisy to be useful.'),
  en('search', 'praise', 'The new instant search is brilliant. Results appear as I type and the highlighting makes it easy to find the right note.'),
  en('search', 'question', 'How do I search for an exact phrase? Quotes do not seem to work in the search box.'),
  en('search', 'complaint', 'Search is terribly slow in our workspace with 40,000 notes. Every query takes ten seconds or more.'),
  // export
  en('export', 'feature', 'Please add CSV export for tables. Copying tables into a spreadsheet by hand is painful.'),
  en('export', 'bug', 'Markdown export loses all images. The exported files point to image links that return 404 once you log out.'),
  en('export', 'question', 'Can I export a whole workspace to PDF in one go, or do I need to export every note separately?'),
  en('export', 'praise', 'Exporting to PDF keeps the formatting perfectly. Our legal team loves it.'),
  // login
  en('login', 'bug', 'Two-factor authentication codes are rejected after the update. I am locked out of my account and the backup codes do not work either. Urgent!'),
  en('login', 'complaint', 'SSO login loops back to the sign-in page forever. Our whole team cannot log in this morning. Terrible experience.'),
  en('login', 'question', 'Is it possible to use a hardware security key for two-factor authentication instead of an authenticator app?'),
  en('login', 'bug', 'After changing my password, the desktop app keeps asking me to log in again every few minutes.'),
  en('login', 'praise', 'Passkey login works great. Signing in with my fingerprint is so much nicer than typing a password.'),
  // dark mode
  en('dark-mode', 'feature', 'Please add dark mode to the web editor! The desktop app has it but the browser version is blinding at night.'),
  en('dark-mode', 'complaint', 'Dark mode contrast is poor. Grey text on a dark grey background is very hard to read.'),
  en('dark-mode', 'praise', 'Finally dark mode everywhere. Thank you, my eyes are grateful.'),
  en('dark-mode', 'feature', 'Could dark mode follow the system setting automatically? Switching by hand every evening is annoying.'),
  // upload
  en('upload', 'bug', 'File upload fails for anything above 100 MB. The progress bar reaches 99% and then shows "network error" every time.'),
  en('upload', 'feature', 'Drag and drop upload of whole folders would save me a lot of time.'),
  en('upload', 'question', 'What is the maximum file upload size on the team plan?'),
  en('upload', 'praise', 'Uploading files is so much faster now. A 2 GB video went through in under a minute.'),
  // notifications
  en('notifications', 'complaint', 'Way too many email notifications. I get an email for every single comment, and there is no digest option.'),
  en('notifications', 'feature', 'Please add a daily digest for email notifications instead of one email per comment.'),
  en('notifications', 'bug', 'Push notifications arrive hours late on Android. Reminders are useless when they show up after the meeting.'),
  en('notifications', 'question', 'How do I turn off notifications for one shared notebook but keep them for the others?'),
  // pricing
  en('pricing', 'complaint', 'The price increase for the team plan is too steep. We pay 40% more for the same features.'),
  en('pricing', 'question', 'Is there a student discount? I would love to use Tidepool for my thesis but the pro plan is expensive for a student.'),
  en('pricing', 'praise', 'The free plan is generous. I used it for a year before upgrading, and the pro plan is worth every cent.'),
  // performance
  en('performance', 'complaint', 'The web app is very slow with large workspaces. Opening the sidebar takes several seconds and typing lags.'),
  en('performance', 'praise', 'Startup time on Windows went from eight seconds to one. Huge improvement, thank you!'),
  en('performance', 'bug', 'Memory usage of the desktop app grows to 3 GB after a day. I have to restart it every afternoon.'),
  // editor
  en('editor', 'feature', 'Please add tables with sortable columns to the editor. We track small projects in notes and sorting would help a lot.'),
  en('editor', 'bug', 'Pasting <img src=x onerror=alert(1)> from a web page into a note shows a broken image icon instead of the text. Is the editor supposed to render pasted HTML?'),
  en('editor', 'bug', 'Code blocks lose indentation when the snippet contains "</script>" or a closing tag. The rest of the note turns into one long line.'),
  en('editor', 'praise', 'The editor is a joy to use. Slash commands, checklists and code blocks just work.'),
  en('editor', 'question', 'Is there a keyboard shortcut to insert a checklist? I could not find it in the shortcuts list.'),
  // calendar
  en('calendar', 'feature', 'Google Calendar integration please! Linking meeting notes to calendar events would make Tidepool perfect for us.'),
  en('calendar', 'feature', 'We use Outlook at work. Could the calendar integration support Outlook calendars as well as Google Calendar?'),
  en('calendar', 'praise', 'The calendar integration is great. Meeting notes are created automatically with the attendees filled in.'),
  // other languages
  other('de', 'sync', 'complaint', 'Die Synchronisierung funktioniert seit dem letzten Update nicht mehr. Meine Notizen vom Vormittag fehlen auf dem Laptop. Sehr ärgerlich.'),
  other('de', 'dark-mode', 'feature', 'Bitte einen dunklen Modus für die Weboberfläche einbauen. Abends ist der weiße Hintergrund viel zu hell.'),
  other('de', 'mobile', 'praise', 'Die neue App für Android ist wirklich gelungen. Schnell, übersichtlich und das Widget ist sehr praktisch.'),
  other('fr', 'export', 'question', "Est-ce qu'il est possible d'exporter toutes les notes d'un carnet en PDF en une seule fois ?"),
  other('fr', 'login', 'bug', "Impossible de me connecter avec l'authentification à deux facteurs depuis la mise à jour. Les codes sont refusés à chaque fois."),
  other('fr', 'editor', 'praise', "L'éditeur est vraiment agréable à utiliser. Les listes de tâches et les blocs de code fonctionnent parfaitement."),
  other('es', 'pricing', 'complaint', 'El nuevo precio del plan para equipos es demasiado alto. Pagamos mucho más por las mismas funciones.'),
  other('es', 'search', 'feature', 'Sería genial poder filtrar la búsqueda por fecha y por autor. Con tantas notas es difícil encontrar algo.'),
  other('es', 'upload', 'bug', 'La subida de archivos grandes falla siempre al llegar al noventa y nueve por ciento.'),
  other('pt', 'mobile', 'complaint', 'O aplicativo no celular está consumindo muita bateria desde a última atualização.'),
  other('pt', 'calendar', 'feature', 'Gostaria muito de uma integração com o Google Agenda para ligar as notas às reuniões.'),
  other('it', 'notifications', 'complaint', 'Ricevo troppe notifiche via email, una per ogni commento. Vorrei un riepilogo giornaliero.'),
  other('it', 'performance', 'praise', "L'applicazione è diventata molto più veloce con l'ultima versione. Complimenti al team!"),
  other('nl', 'sync', 'question', 'Hoe kan ik zien welk apparaat de laatste versie van mijn notities heeft? De synchronisatie blijft hangen.'),
  other('nl', 'dark-mode', 'praise', 'Eindelijk een donkere modus in de browser. Veel prettiger om mee te werken in de avond.'),
  other('sv', 'export', 'feature', 'Det vore bra att kunna exportera tabeller till CSV direkt från anteckningen.'),
  other('pl', 'login', 'complaint', 'Logowanie przez SSO nie działa od rana. Cały zespół nie może się zalogować do aplikacji.'),
];

/** Themes that a bad release hit: the demo's history has a burst of complaints about them. */
export const INCIDENT_THEMES: readonly Theme[] = ['sync', 'login'];

/** Comments a support widget sends: shorter, more direct, sometimes with a rating. */
export const WIDGET_FEEDBACK: readonly (FeedbackText & { rating: number })[] = [
  { ...en('sync', 'complaint', 'Sync stuck again. Third time this week.'), rating: 1 },
  { ...en('editor', 'praise', 'Love the new editor, the slash commands are great!'), rating: 5 },
  { ...en('search', 'feature', 'Search should look inside attachments.'), rating: 3 },
  { ...en('mobile', 'praise', 'The Android widget is perfect for quick notes.'), rating: 5 },
  { ...en('upload', 'bug', 'Upload failed with a network error for a 150 MB video.'), rating: 2 },
  { ...en('dark-mode', 'feature', 'Dark mode for the web app, please.'), rating: 4 },
  { ...en('notifications', 'complaint', 'Too many emails, please add a digest.'), rating: 2 },
  { ...en('performance', 'praise', 'So much faster than last month, great job.'), rating: 5 },
  { ...en('login', 'bug', 'Two-factor code rejected, locked out of my account.'), rating: 1 },
  { ...en('calendar', 'feature', 'Please connect meeting notes with Google Calendar events.'), rating: 4 },
  { ...en('pricing', 'question', 'Do you offer a discount for non-profits?'), rating: 3 },
  { ...en('export', 'praise', 'PDF export looks great, thanks!'), rating: 5 },
  { ...other('de', 'sync', 'bug', 'Synchronisierung hängt bei "ausstehend".'), rating: 2 },
  { ...other('fr', 'mobile', 'praise', "J'adore l'application mobile, elle est rapide et simple."), rating: 5 },
  { ...other('es', 'notifications', 'complaint', 'Demasiadas notificaciones por correo.'), rating: 2 },
];
