// True while the window is phone-sized, for layouts that differ there
// (pagination controls, dialog widths, form label position).
import { onBeforeUnmount, ref, type Ref } from 'vue'

export const NARROW_QUERY = '(max-width: 640px)'

export function useNarrow(query = NARROW_QUERY): Ref<boolean> {
  const mql = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : undefined
  const narrow = ref(mql?.matches ?? false)
  const onChange = (e: MediaQueryListEvent) => {
    narrow.value = e.matches
  }
  mql?.addEventListener('change', onChange)
  onBeforeUnmount(() => mql?.removeEventListener('change', onChange))
  return narrow
}
