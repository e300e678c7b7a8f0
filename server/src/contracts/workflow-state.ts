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

export const WORKFLOW_ACTIONS = [
  'drafted',
  'edited',
  'replaced',
  'submitted',
  'returned',
  'signed',
  'numbered',
  'sealed',
  'released',
  'deleted',
] as const;
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
