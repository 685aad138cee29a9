/**
 * Response types, imported (types only, nothing at run time) from the server's route schemas: the
 * single source of truth. Dates are typed `Date` there but arrive as ISO strings: wrap them in
 * `new Date(...)` before use.
 */
export type { Contact } from "../../../src/modules/contacts/routes.js";
export type { ConversationDetail, ConversationList } from "../../../src/modules/conversations/routes.js";
export type {
  ApiTokenInfo,
  AuditPage,
  Department,
  Invitation,
  InvitationLinkInfo,
  Me,
  Member,
} from "../../../src/modules/organizations/routes.js";

import type { ConversationDetail, ConversationList } from "../../../src/modules/conversations/routes.js";
import type { AuditPage, InvitationLinkInfo, Me } from "../../../src/modules/organizations/routes.js";

export type ConversationSummary = ConversationList["conversations"][number];
export type Message = ConversationDetail["messages"][number];
export type Role = Me["organizations"][number]["role"];
export type ChannelType = ConversationSummary["channel"]["type"];
export type ConversationStatus = ConversationSummary["status"];

export type AuditEntry = AuditPage["entries"][number];
export type InvitationLink = InvitationLinkInfo;

export type {
  DryRunResult,
  RoutingRule,
  RoutingRuleInput,
  RuleExecution,
} from "../../../src/modules/automation/routes.js";
export type { RuleAction, RuleCondition } from "../../../src/modules/automation/ruleTypes.js";
export type {
  AllowedPrivateHost,
  ChannelAccount,
  ConnectorFieldInfo,
  ConnectorInfo,
} from "../../../src/modules/channels/routes.js";
export type { Insight, InsightDetail, InsightOverview } from "../../../src/modules/insights/routes.js";
export type {
  AlertRule,
  AlertRuleInput,
  DeadLetter,
  FiredAlert,
} from "../../../src/modules/listening/alertRoutes.js";
export type { Influencer } from "../../../src/modules/listening/intelligenceRoutes.js";
export type {
  AspectCount,
  ListeningQuery,
  Mention,
  QuerySyntaxCheck,
  TopAuthor,
  VoiceShare,
  VolumePoint,
} from "../../../src/modules/listening/routes.js";
export type { KeyphraseCloud, TopicClusters } from "../../../src/modules/listening/themeRoutes.js";
export type {
  HouseRule,
  ModerationDecision,
  ModerationQueueItem,
} from "../../../src/modules/moderation/routes.js";
export type { Notification } from "../../../src/modules/notifications/routes.js";
export type { DialogJoinRequest, VocItem } from "../../../src/modules/voice/routes.js";
