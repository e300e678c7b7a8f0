import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en } from './en';
import { vi, type MessageKey } from './vi';

export type Lang = 'vi' | 'en';
export type T = (key: MessageKey, params?: Record<string, string | number>) => string;

const DICTS: Record<Lang, Record<MessageKey, string>> = { vi, en };
const KEY = 'lt.lang';

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>) {
  const text = DICTS[lang][key] ?? key;

  return params ? text.replace(/\{(\w+)\}/g, (m, k: string) => String(params[k] ?? m)) : text;
}

type Ctx = { lang: Lang; setLang: (l: Lang) => void; t: T };
const I18n = createContext<Ctx | null>(null);

function initialLang(): Lang {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'vi';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(KEY, l);
    document.documentElement.lang = l;
    setLangState(l);
  }, []);
  const value = useMemo<Ctx>(
    () => ({ lang, setLang, t: (k, p) => translate(lang, k, p) }),
    [lang, setLang],
  );

  return <I18n.Provider value={value}>{children}</I18n.Provider>;
}

export function useI18n(): Ctx {
  const c = useContext(I18n);
  if (!c) throw new Error('useI18n outside I18nProvider');

  return c;
}

export type { MessageKey };
