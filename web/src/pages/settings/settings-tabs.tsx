/**
 * The tabs of the settings pages (users, roles, device groups, sign-in providers, apps) as links, the current one
 * marked for assistive technology.
 */
import { Link } from '../../router.tsx';

const TABS = [
  { to: 'settings/users', label: 'Users' },
  { to: 'settings/roles', label: 'Roles' },
  { to: 'settings/device-groups', label: 'Device groups' },
  { to: 'settings/sign-in-providers', label: 'Sign-in providers' },
  { to: 'settings/apps', label: 'Apps' },
] as const;

/** The settings tabs, `current` being the path of the page showing them. */
export function SettingsTabs({ current }: { current: (typeof TABS)[number]['to'] }) {
  return (
    <nav className="tabs" aria-label="Settings">
      {TABS.map((t) => (
        <Link key={t.to} to={t.to} aria-current={t.to === current ? 'page' : undefined}>{t.label}</Link>
      ))}
    </nav>
  );
}
