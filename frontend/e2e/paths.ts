// Where the e2e run keeps its files: the repo's .tmp/ (gitignored).
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const FRONTEND_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const REPO_DIR = path.resolve(FRONTEND_DIR, '..')
export const TMP_DIR = path.join(REPO_DIR, '.tmp')
/** The server binary, built with the web app embedded. */
export const SERVER_BIN = path.join(TMP_DIR, 'examd')
/** Written by global setup: {baseURL, logPath, pid, dataDir}. */
export const STATE_FILE = path.join(TMP_DIR, 'e2e-server.json')
export const SCREENSHOT_DIR = path.join(FRONTEND_DIR, 'test-results', 'screenshots')
