CREATE TYPE "public"."kpi_goal_period" AS ENUM('week', 'month', 'quarter');--> statement-breakpoint
CREATE TABLE "kpi_goal" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"department_id" uuid,
	"kpi" text NOT NULL,
	"target" double precision NOT NULL,
	"period" "kpi_goal_period" NOT NULL,
	"created_by_member_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kpi_goal_scope_key" UNIQUE NULLS NOT DISTINCT("organization_id","department_id","kpi","period")
);
--> statement-breakpoint
CREATE TABLE "kpi_mention_rollup" (
	"organization_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"mentions" bigint DEFAULT 0 NOT NULL,
	"positive" bigint DEFAULT 0 NOT NULL,
	"neutral" bigint DEFAULT 0 NOT NULL,
	"negative" bigint DEFAULT 0 NOT NULL,
	"brand_mentions" bigint DEFAULT 0 NOT NULL,
	"competitor_mentions" bigint DEFAULT 0 NOT NULL,
	"own_posts" bigint DEFAULT 0 NOT NULL,
	"own_post_comments" bigint DEFAULT 0 NOT NULL,
	"own_post_shares" bigint DEFAULT 0 NOT NULL,
	"own_post_likes" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "kpi_mention_rollup_organization_id_grain_period_start_channel_pk" PRIMARY KEY("organization_id","grain","period_start","channel")
);
--> statement-breakpoint
CREATE TABLE "kpi_response_histogram" (
	"organization_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"department_key" uuid NOT NULL,
	"channel" text NOT NULL,
	"kind" text NOT NULL,
	"bucket" smallint NOT NULL,
	"responses" integer NOT NULL,
	CONSTRAINT "kpi_response_histogram_organization_id_grain_period_start_department_key_channel_kind_bucket_pk" PRIMARY KEY("organization_id","grain","period_start","department_key","channel","kind","bucket")
);
--> statement-breakpoint
CREATE TABLE "kpi_rollup_state" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"watermark" timestamp with time zone NOT NULL,
	"last_run_at" timestamp with time zone NOT NULL,
	"days_recomputed" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpi_service_rollup" (
	"organization_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"department_key" uuid NOT NULL,
	"channel" text NOT NULL,
	"conversations_opened" integer DEFAULT 0 NOT NULL,
	"conversations_breached" integer DEFAULT 0 NOT NULL,
	"questions" integer DEFAULT 0 NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	"answered_within_sla" integer DEFAULT 0 NOT NULL,
	"first_questions" integer DEFAULT 0 NOT NULL,
	"first_answered" integer DEFAULT 0 NOT NULL,
	"first_answered_within_sla" integer DEFAULT 0 NOT NULL,
	"csat_answers" integer DEFAULT 0 NOT NULL,
	"csat_sum" integer DEFAULT 0 NOT NULL,
	"csat_satisfied" integer DEFAULT 0 NOT NULL,
	"positive" integer DEFAULT 0 NOT NULL,
	"neutral" integer DEFAULT 0 NOT NULL,
	"negative" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "kpi_service_rollup_organization_id_grain_period_start_department_key_channel_pk" PRIMARY KEY("organization_id","grain","period_start","department_key","channel")
);
--> statement-breakpoint
CREATE TABLE "briefing" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"department_id" uuid,
	"week_start" timestamp with time zone NOT NULL,
	"content" jsonb NOT NULL,
	"generated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"emailed_to" integer DEFAULT 0 NOT NULL,
	"emailed_at" timestamp with time zone,
	"email_error" text,
	CONSTRAINT "briefing_scope_week_key" UNIQUE NULLS NOT DISTINCT("organization_id","department_id","week_start")
);
--> statement-breakpoint
ALTER TABLE "kpi_goal" ADD CONSTRAINT "kpi_goal_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_goal" ADD CONSTRAINT "kpi_goal_department_id_department_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."department"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_goal" ADD CONSTRAINT "kpi_goal_created_by_member_id_member_id_fk" FOREIGN KEY ("created_by_member_id") REFERENCES "public"."member"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_mention_rollup" ADD CONSTRAINT "kpi_mention_rollup_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_response_histogram" ADD CONSTRAINT "kpi_response_histogram_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_rollup_state" ADD CONSTRAINT "kpi_rollup_state_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpi_service_rollup" ADD CONSTRAINT "kpi_service_rollup_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "briefing" ADD CONSTRAINT "briefing_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "briefing" ADD CONSTRAINT "briefing_department_id_department_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."department"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kpi_goal_org_idx" ON "kpi_goal" USING btree ("organization_id");