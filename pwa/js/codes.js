// Code lists fixed by the sync protocol (section 2) and the server's extras.
export const OUTCOMES = ['met', 'nobody_home', 'refused', 'moved'];
export const CATEGORIES = ['marriage_family', 'neighbour', 'labour', 'land_requisition', 'land_contract', 'property', 'private_lending', 'illegal_fundraising', 'medical', 'education', 'traffic', 'environment', 'enterprise', 'consumer', 'other'];
export const RISKS = ['red', 'orange', 'yellow', 'blue'];
export const STATUSES = ['reported', 'assigned', 'in_mediation', 'resolved', 'referred', 'unresolved'];
export const HANDLINGS = ['people_mediation', 'admin_mediation', 'judicial_mediation', 'arbitration', 'admin_ruling', 'litigation', 'referral'];
export const PHOTO_KINDS = ['site', 'agreement', 'other'];
export const FOLLOWUP_CLASSES = [1, 2, 3];
// Days until the follow-up visit for each class: a month, a quarter, half a year.
export const FOLLOWUP_DAYS = { 1: 30, 2: 90, 3: 180 };
export const OPEN_STATUSES = ['reported', 'assigned', 'in_mediation'];
