/**
 * The words auto-replies use, per language: vacation subjects and bodies, "no longer with the
 * company", and month names chrono-node lacks. Lower case; matched against lower-cased,
 * whitespace-folded text. Adding a language is adding its row to each table.
 */

export const languages = ['en', 'de', 'fr', 'es', 'nl', 'da', 'no', 'sv', 'fi', 'pl'] as const;
export type Language = (typeof languages)[number];

/** Subjects an out-of-office sets (Outlook, Gmail, Exchange, Apple, common vacation tools). */
export const vacationSubjects: Record<Language, string[]> = {
  en: [
    'out of office',
    'out of the office',
    'automatic reply',
    'auto reply',
    'auto-reply',
    'autoreply',
    'on vacation',
    'on holiday',
    'away from the office',
    'on leave',
    'annual leave',
  ],
  de: [
    'abwesenheitsnotiz',
    'automatische antwort',
    'abwesend',
    'nicht im büro',
    'außer haus',
    'urlaub',
    'abwesenheit',
  ],
  fr: [
    'réponse automatique',
    'reponse automatique',
    'absent du bureau',
    'absente du bureau',
    'absence',
    'en congé',
    'en congés',
    'en vacances',
  ],
  es: [
    'respuesta automática',
    'respuesta automatica',
    'fuera de la oficina',
    'de vacaciones',
    'ausente',
    'ausencia',
  ],
  nl: ['automatisch antwoord', 'afwezig', 'niet op kantoor', 'met vakantie', 'afwezigheid'],
  da: ['autosvar', 'automatisk svar', 'fraværende', 'ikke på kontoret', 'på ferie', 'fravær'],
  no: ['autosvar', 'automatisk svar', 'fraværende', 'ikke på kontoret', 'på ferie', 'fravær'],
  sv: ['autosvar', 'automatiskt svar', 'frånvarande', 'inte på kontoret', 'på semester', 'frånvaro'],
  fi: ['automaattinen vastaus', 'poissaoloilmoitus', 'poissa toimistolta', 'lomalla', 'poissa'],
  pl: [
    'automatyczna odpowiedź',
    'automatyczna odpowiedz',
    'poza biurem',
    'nieobecność',
    'nieobecnosc',
    'na urlopie',
    'nieobecny',
    'nieobecna',
  ],
};

/** Sentences of an out-of-office body. */
export const vacationBodies: Record<Language, string[]> = {
  en: [
    'i am out of the office',
    "i'm out of the office",
    'i am currently out of',
    'i am away',
    "i'm away",
    'i am currently away',
    'i am on vacation',
    "i'm on vacation",
    'i am on holiday',
    "i'm on holiday",
    'on annual leave',
    'on parental leave',
    'limited access to email',
    'limited access to my email',
    'i will be back',
    "i'll be back",
    'i will return',
    'i will respond when i return',
    'away from the office',
  ],
  de: [
    'ich bin bis',
    'bin ich nicht im büro',
    'nicht im büro',
    'außer haus',
    'im urlaub',
    'ich bin abwesend',
    'bin ab dem',
    'wieder im büro',
    'wieder erreichbar',
    'keinen zugriff auf meine e-mails',
    'eingeschränkt erreichbar',
  ],
  fr: [
    'je suis absent',
    'je suis absente',
    'absent du bureau',
    'absente du bureau',
    'en congé',
    'en congés',
    'en vacances',
    'je serai de retour',
    'de retour le',
    'accès limité à mes e-mails',
    'je prendrai connaissance de votre message',
  ],
  es: [
    'estoy fuera de la oficina',
    'fuera de la oficina',
    'estoy de vacaciones',
    'de vacaciones',
    'estaré de vuelta',
    'estaré ausente',
    'regresaré',
    'volveré el',
    'acceso limitado al correo',
  ],
  nl: [
    'ik ben afwezig',
    'afwezig tot',
    'niet op kantoor',
    'met vakantie',
    'ben ik weer aanwezig',
    'weer aanwezig',
    'weer op kantoor',
    'beperkt bereikbaar',
    'ik ben vanaf',
  ],
  da: [
    'jeg er fraværende',
    'fraværende',
    'ikke på kontoret',
    'jeg er på ferie',
    'på ferie',
    'tilbage igen',
    'er tilbage',
    'begrænset adgang til e-mail',
  ],
  no: [
    'jeg er fraværende',
    'fraværende',
    'ikke på kontoret',
    'jeg er på ferie',
    'på ferie',
    'tilbake igjen',
    'er tilbake',
    'begrenset tilgang til e-post',
  ],
  sv: [
    'jag är frånvarande',
    'frånvarande',
    'inte på kontoret',
    'jag är på semester',
    'på semester',
    'tillbaka den',
    'är tillbaka',
    'begränsad tillgång till e-post',
  ],
  fi: [
    'olen poissa',
    'poissa toimistolta',
    'olen lomalla',
    'lomalla',
    'palaan',
    'takaisin toimistolla',
    'rajoitetusti sähköpostin',
  ],
  pl: [
    'jestem poza biurem',
    'poza biurem',
    'jestem na urlopie',
    'na urlopie',
    'jestem nieobecny',
    'jestem nieobecna',
    'wracam',
    'wrócę',
    'ograniczony dostęp do poczty',
  ],
};

/** "No longer with the company" and its kin: the address will not reach this person again. */
export const leftCompany: Record<Language, string[]> = {
  en: [
    'no longer with',
    'no longer works',
    'no longer working',
    'no longer employed',
    'has left the company',
    'has left the organization',
    'has left the organisation',
    'left the company',
    'is no longer at',
    'no longer part of',
  ],
  de: [
    'nicht mehr bei',
    'nicht mehr im unternehmen',
    'nicht mehr für',
    'hat das unternehmen verlassen',
    'nicht mehr tätig',
    'ist ausgeschieden',
  ],
  fr: [
    'ne fait plus partie',
    'a quitté la société',
    "a quitté l'entreprise",
    'ne travaille plus',
    "n'est plus en poste",
  ],
  es: ['ya no trabaja', 'ya no forma parte', 'dejó la empresa', 'ha dejado la empresa', 'ya no está en'],
  nl: ['niet meer werkzaam', 'heeft het bedrijf verlaten', 'niet langer werkzaam', 'werkt niet meer'],
  da: ['ikke længere ansat', 'har forladt', 'er stoppet', 'arbejder ikke længere'],
  no: ['ikke lenger ansatt', 'har sluttet', 'jobber ikke lenger', 'har forlatt'],
  sv: ['inte längre anställd', 'har slutat', 'arbetar inte längre', 'har lämnat företaget'],
  fi: ['ei enää työskentele', 'on lopettanut', 'ei ole enää'],
  pl: ['nie pracuje już', 'już nie pracuje', 'nie jest już', 'odszedł z firmy', 'odeszła z firmy'],
};

/** Month names chrono-node has no locale for (Danish, Norwegian, Polish, genitive forms). */
export const extraMonths: Record<string, number> = {
  januar: 1,
  februar: 2,
  marts: 3,
  mars: 3,
  april: 4,
  maj: 5,
  mai: 5,
  juni: 6,
  juli: 7,
  august: 8,
  september: 9,
  oktober: 10,
  november: 11,
  december: 12,
  desember: 12,
  stycznia: 1,
  styczeń: 1,
  lutego: 2,
  luty: 2,
  marca: 3,
  marzec: 3,
  kwietnia: 4,
  kwiecień: 4,
  maja: 5,
  czerwca: 6,
  czerwiec: 6,
  lipca: 7,
  lipiec: 7,
  sierpnia: 8,
  sierpień: 8,
  września: 9,
  wrzesień: 9,
  października: 10,
  październik: 10,
  listopada: 11,
  listopad: 11,
  grudnia: 12,
  grudzień: 12,
};

/**
 * The language whose phrases appear most often in `text` (Danish and Norwegian share many; the
 * words that differ decide), with its first phrase; ties go to the earlier language.
 */
export function findPhrase(
  table: Record<Language, string[]>,
  text: string,
): { language: Language; phrase: string } | null {
  let best: { language: Language; phrase: string; hits: number } | null = null;
  for (const language of languages) {
    const found = table[language].filter((phrase) => containsPhrase(text, phrase));
    if (found[0] && (!best || found.length > best.hits))
      best = { language, phrase: found[0], hits: found.length };
  }
  return best ? { language: best.language, phrase: best.phrase } : null;
}

/** `phrase` in `text` on word boundaries (Unicode letters), so "absence" does not hit "absences". */
export function containsPhrase(text: string, phrase: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(phrase, from);
    if (at < 0) return false;
    const before = at === 0 ? '' : text[at - 1];
    const after = text[at + phrase.length] ?? '';
    if (!/[\p{L}\p{N}]/u.test(before ?? '') && !/[\p{L}\p{N}]/u.test(after)) return true;
    from = at + 1;
  }
}
