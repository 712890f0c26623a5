/**
 * The console's pages. A page is one file in this folder (its default export is a component taking
 * `PageProps`) and one line here: its path (with `:name` parameters), its title, and whether the
 * navigation lists it. The shell (app.tsx) loads each page's code on first visit.
 */
import type { ComponentType } from 'react';

/** What every page is rendered with. */
export interface PageProps {
  /** The `:name` parameters of its path. */
  params: Record<string, string>;
  /** The query string: page state such as filters. */
  query: URLSearchParams;
}

/** One page of the console. */
export interface PageDef {
  /** App-relative path pattern ('' is the dashboard). */
  path: string;
  title: string;
  /** Listed in the navigation when true (and the user holds one of `requires`). */
  nav: boolean;
  /** Delegated permissions (any one) the page needs; the navigation hides it from users without them. */
  requires?: readonly string[];
  load: () => Promise<{ default: ComponentType<PageProps> }>;
}

/** Every page, in navigation order. */
export const PAGES: readonly PageDef[] = [
  { path: '', title: 'Dashboard', nav: true, load: () => import('./dashboard.tsx') },
  { path: 'devices', title: 'Devices', nav: true, requires: ['Machine.Read'], load: () => import('./devices.tsx') },
  { path: 'devices/:id', title: 'Device', nav: false, requires: ['Machine.Read'], load: () => import('./device.tsx') },
  { path: 'alerts', title: 'Alerts', nav: true, requires: ['Alert.Read', 'Alert.ReadWrite'], load: () => import('./alerts.tsx') },
  { path: 'incidents', title: 'Incidents', nav: true, requires: ['Alert.Read', 'Alert.ReadWrite'], load: () => import('./incidents.tsx') },
  { path: 'indicators', title: 'Indicators', nav: true, requires: ['Ti.ReadWrite'], load: () => import('./indicators.tsx') },
  { path: 'actions', title: 'Action center', nav: true, requires: ['Machine.Read'], load: () => import('./action-center.tsx') },
  { path: 'hunting', title: 'Advanced hunting', nav: true, requires: ['AdvancedQuery.Read', 'AdvancedHunting.Read'], load: () => import('./hunting/hunting-page.tsx') },
  { path: 'settings/users', title: 'Settings', nav: true, requires: ['PortalSettings.Manage'], load: () => import('./settings/users-page.tsx') },
  { path: 'settings/roles', title: 'Roles', nav: false, requires: ['PortalSettings.Manage'], load: () => import('./settings/roles-page.tsx') },
  { path: 'settings/device-groups', title: 'Device groups', nav: false, requires: ['PortalSettings.Manage'], load: () => import('./settings/device-groups-page.tsx') },
  { path: 'settings/sign-in-providers', title: 'Sign-in providers', nav: false, requires: ['PortalSettings.Manage'], load: () => import('./settings/sign-in-providers-page.tsx') },
  { path: 'settings/apps', title: 'Apps', nav: false, requires: ['PortalSettings.Manage'], load: () => import('./settings/apps-page.tsx') },
  { path: 'audit-log', title: 'Audit log', nav: true, requires: ['PortalSettings.Manage'], load: () => import('./audit-log/audit-log-page.tsx') },
];
