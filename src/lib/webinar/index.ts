/** Webinars: calendar invitations, registration, reschedule/cancel updates, attendance import. */
export {
  AttendanceFormatError,
  type AttendanceReport,
  type Attendee,
  decodeExport,
  parseAttendance,
  parseMinutes,
  type Vendor,
} from './attendance.ts';
export {
  type ConfirmDeps,
  confirmRegistration,
  describeTime,
  type InvitationKind,
  type InvitationTarget,
  invitationMessage,
  isEmailAddress,
  notifyRegistrants,
  partnerTimeZone,
  type RegistrationInput,
  registerForWebinar,
  type UpdateReport,
} from './confirm.ts';
export { calendarLinks, type InvitationMethod, invitationIcs, type Registrant } from './ics.ts';
export { type ImportSummary, importAttendance } from './import.ts';
export type { ScheduleChange, WebinarStatus } from './lifecycle.ts';
export {
  currentWebinar,
  endOf,
  invitationUid,
  type LoadOptions,
  loadWebinar,
  type Organizer,
  recordScheduleChange,
  scheduleChanges,
  WebinarError,
  type WebinarInfo,
} from './schedule.ts';
