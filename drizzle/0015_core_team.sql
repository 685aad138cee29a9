ALTER TYPE "public"."member_role" ADD VALUE 'viewer';--> statement-breakpoint
CREATE TABLE "routing_rule" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"applies_to" text DEFAULT 'both' NOT NULL,
	"match" text DEFAULT 'all' NOT NULL,
	"conditions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"actions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"stops_further_rules" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_rule_execution" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"rule_id" uuid,
	"rule_name" text NOT NULL,
	"item_type" text NOT NULL,
	"item_id" uuid NOT NULL,
	"matched_conditions" integer[] NOT NULL,
	"outcomes" jsonb NOT NULL,
	"stopped_further_rules" boolean DEFAULT false NOT NULL,
	"executed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "insight" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"department_id" uuid NOT NULL,
	"kind" text DEFAULT 'insight' NOT NULL,
	"mention_id" uuid,
	"conversation_id" uuid,
	"note" text NOT NULL,
	"state" text DEFAULT 'new' NOT NULL,
	"created_by_member_id" uuid,
	"rule_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "insight_state_change" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"insight_id" uuid NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"member_id" uuid,
	"comment" text DEFAULT '' NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "house_rule" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"title" text NOT NULL,
	"public_text" text NOT NULL,
	"is_published" boolean DEFAULT true NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "moderation_decision" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"mention_id" uuid NOT NULL,
	"state" text NOT NULL,
	"house_rule_id" uuid,
	"public_reason" text DEFAULT '' NOT NULL,
	"justification" text,
	"decided_by_member_id" uuid,
	"rule_id" uuid,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dialog_join_request" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"voc_item_id" uuid NOT NULL,
	"requester_member_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"decided_by_member_id" uuid,
	"decision_note" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "voc_item" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"mention_id" uuid NOT NULL,
	"author_pseudonym" text NOT NULL,
	"masked_text" text NOT NULL,
	"network" text NOT NULL,
	"language" text NOT NULL,
	"sentiment" text NOT NULL,
	"aspects" jsonb NOT NULL,
	"query_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"curator_note" text DEFAULT '' NOT NULL,
	"shared_by_member_id" uuid,
	"posted_at" timestamp with time zone NOT NULL,
	"shared_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "routing_rule" ADD CONSTRAINT "routing_rule_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_rule_execution" ADD CONSTRAINT "routing_rule_execution_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_rule_execution" ADD CONSTRAINT "routing_rule_execution_rule_id_routing_rule_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."routing_rule"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight" ADD CONSTRAINT "insight_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight" ADD CONSTRAINT "insight_department_id_department_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."department"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight" ADD CONSTRAINT "insight_mention_id_mention_id_fk" FOREIGN KEY ("mention_id") REFERENCES "public"."mention"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight" ADD CONSTRAINT "insight_conversation_id_conversation_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversation"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight" ADD CONSTRAINT "insight_created_by_member_id_member_id_fk" FOREIGN KEY ("created_by_member_id") REFERENCES "public"."member"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight_state_change" ADD CONSTRAINT "insight_state_change_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight_state_change" ADD CONSTRAINT "insight_state_change_insight_id_insight_id_fk" FOREIGN KEY ("insight_id") REFERENCES "public"."insight"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight_state_change" ADD CONSTRAINT "insight_state_change_member_id_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "house_rule" ADD CONSTRAINT "house_rule_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_decision" ADD CONSTRAINT "moderation_decision_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_decision" ADD CONSTRAINT "moderation_decision_mention_id_mention_id_fk" FOREIGN KEY ("mention_id") REFERENCES "public"."mention"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_decision" ADD CONSTRAINT "moderation_decision_house_rule_id_house_rule_id_fk" FOREIGN KEY ("house_rule_id") REFERENCES "public"."house_rule"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_decision" ADD CONSTRAINT "moderation_decision_decided_by_member_id_member_id_fk" FOREIGN KEY ("decided_by_member_id") REFERENCES "public"."member"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dialog_join_request" ADD CONSTRAINT "dialog_join_request_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dialog_join_request" ADD CONSTRAINT "dialog_join_request_voc_item_id_voc_item_id_fk" FOREIGN KEY ("voc_item_id") REFERENCES "public"."voc_item"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dialog_join_request" ADD CONSTRAINT "dialog_join_request_requester_member_id_member_id_fk" FOREIGN KEY ("requester_member_id") REFERENCES "public"."member"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dialog_join_request" ADD CONSTRAINT "dialog_join_request_decided_by_member_id_member_id_fk" FOREIGN KEY ("decided_by_member_id") REFERENCES "public"."member"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voc_item" ADD CONSTRAINT "voc_item_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voc_item" ADD CONSTRAINT "voc_item_mention_id_mention_id_fk" FOREIGN KEY ("mention_id") REFERENCES "public"."mention"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voc_item" ADD CONSTRAINT "voc_item_shared_by_member_id_member_id_fk" FOREIGN KEY ("shared_by_member_id") REFERENCES "public"."member"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "routing_rule_org_position_idx" ON "routing_rule" USING btree ("organization_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "routing_rule_execution_item_idx" ON "routing_rule_execution" USING btree ("organization_id","rule_id","item_type","item_id");--> statement-breakpoint
CREATE INDEX "routing_rule_execution_org_at_idx" ON "routing_rule_execution" USING btree ("organization_id","executed_at");--> statement-breakpoint
CREATE INDEX "insight_org_department_state_idx" ON "insight" USING btree ("organization_id","department_id","state");--> statement-breakpoint
CREATE INDEX "insight_org_created_idx" ON "insight" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "insight_state_change_insight_idx" ON "insight_state_change" USING btree ("insight_id","at");--> statement-breakpoint
CREATE INDEX "house_rule_org_idx" ON "house_rule" USING btree ("organization_id","position");--> statement-breakpoint
CREATE INDEX "moderation_decision_mention_idx" ON "moderation_decision" USING btree ("organization_id","mention_id","decided_at");--> statement-breakpoint
CREATE INDEX "dialog_join_request_org_state_idx" ON "dialog_join_request" USING btree ("organization_id","state","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "voc_item_org_mention_idx" ON "voc_item" USING btree ("organization_id","mention_id");--> statement-breakpoint
CREATE INDEX "voc_item_org_shared_idx" ON "voc_item" USING btree ("organization_id","shared_at");