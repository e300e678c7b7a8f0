/** The delivery lifecycle is part of the contract, so that the web client follows the same rules. */
export {
  CHANGE_ANSWER_ROLES,
  CLOSED,
  SENDER_ROLES,
  TRANSITIONS,
} from '../../contracts/exchange.js';
