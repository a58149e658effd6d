// The logged-in user as last reported by GET /api/v1/auth/me. The router's
// guard refreshes it on every navigation to a page that needs a login.
import { ref } from 'vue'
import { fetchMe, logout as apiLogout, type Me } from './api/auth'
import { isApiError } from './api/client'

export const currentUser = ref<Me | null>(null)

/** Asks the server who is logged in; null when nobody is (401). Other errors are thrown. */
export async function loadSession(): Promise<Me | null> {
  try {
    currentUser.value = await fetchMe({ skipAuthRedirect: true })
  } catch (e) {
    if (isApiError(e) && e.status === 401) {
      currentUser.value = null
    } else {
      throw e
    }
  }
  return currentUser.value
}

export function setSession(user: Me | null): void {
  currentUser.value = user
}

/**
 * Ends the server session; the local state is cleared even if the call fails.
 * A 401 means the session had already ended, which is what was wanted.
 */
export async function endSession(): Promise<void> {
  try {
    await apiLogout({ skipAuthRedirect: true })
  } catch (e) {
    if (!(isApiError(e) && e.status === 401)) throw e
  } finally {
    currentUser.value = null
  }
}
