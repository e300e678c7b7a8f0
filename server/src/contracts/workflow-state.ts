/**
 * Trình ký: a document's journey inside its organization (DESIGN.md "Internal workflow").
 * draft → submitted (to a named signer) → signed | returned → numbered → sealed → released.
 */
export const WORKFLOW_STATES = [
  'draft',
  'submitted',
  'returned',
  'signed',
  'numbered',
  'sealed',
  'released',
] as const;
export type TWorkflowState = (typeof WORKFLOW_STATES)[number];

/** Each state after draft is entered by the action of the same name ('submitted' → submitted…). */
const [, ...ENTERING] = WORKFLOW_STATES;

export const WORKFLOW_ACTIONS = ['drafted', 'edited', 'replaced', ...ENTERING, 'deleted'] as const;
export type TWorkflowAction = (typeof WORKFLOW_ACTIONS)[number];

export type TWorkflowStep = {
  action: TWorkflowAction;
  state: TWorkflowState;
  at: string;
  by: string;
  byName: string;
  comment?: string;
};

/** What the owner organization sees of a document's journey. */
export type TWorkflowInfo = {
  state: TWorkflowState;
  signerId?: string;
  signerName?: string;
  /** The last hand-back's comment, while the draft is being reworked. */
  returnComment?: string;
  history: TWorkflowStep[];
};
