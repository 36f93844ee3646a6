export interface DjangoVenv { series: string; python: string; django: string }
export declare const DJANGO_SERIES: { series: string; requirement: string; driver: string; minPython: number[] }[]
export declare const EXTRA_VENVS: { series: string; requirement: string; driver: string; packages: string[]; minPython: number[] }[]
export declare function bootstrap(options?: { npm?: boolean }): Promise<DjangoVenv[]>
export declare function ensureVenv(series: string): Promise<DjangoVenv>
