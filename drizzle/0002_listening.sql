CREATE TYPE "public"."alert_type" AS ENUM('volume_spike', 'storm', 'keyword', 'vip_mention', 'offensive');--> statement-breakpoint
CREATE TYPE "public"."listening_query_kind" AS ENUM('brand', 'competitor', 'campaign', 'topic');--> statement-breakpoint
CREATE TABLE "social_identity" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"network" text NOT NULL,
	"handle" text NOT NULL,
	"display_name" text,
	"profile_url" text,
	"followers" integer,
	"is_vip" boolean DEFAULT false NOT NULL,
	"influence_score" double precision,
	"influence_updated_at" timestamp with time zone,
	"contact_id" uuid,
	"profile" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"type" "alert_type" NOT NULL,
	"title" text NOT NULL,
	"details" jsonb NOT NULL,
	"mention_ids" uuid[] NOT NULL,
	"dedupe_key" text NOT NULL,
	"fired_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "alert_delivery" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"alert_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"target" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "alert_rule" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"query_id" uuid,
	"name" text NOT NULL,
	"type" "alert_type" NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"delivery" jsonb NOT NULL,
	"cooldown_minutes" integer DEFAULT 360 NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"last_fired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "aspect_rollup_daily" (
	"organization_id" uuid NOT NULL,
	"query_id" uuid NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"aspect" text NOT NULL,
	"polarity" text NOT NULL,
	"mentions" bigint NOT NULL,
	CONSTRAINT "aspect_rollup_daily_organization_id_query_id_day_aspect_polarity_pk" PRIMARY KEY("organization_id","query_id","day","aspect","polarity")
);
--> statement-breakpoint
CREATE TABLE "author_rollup_daily" (
	"organization_id" uuid NOT NULL,
	"query_id" uuid NOT NULL,
	"day" timestamp with time zone NOT NULL,
	"identity_id" uuid NOT NULL,
	"mentions" bigint NOT NULL,
	"negative" bigint DEFAULT 0 NOT NULL,
	"engagement" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "author_rollup_daily_organization_id_query_id_day_identity_id_pk" PRIMARY KEY("organization_id","query_id","day","identity_id")
);
--> statement-breakpoint
CREATE TABLE "dead_letter" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid,
	"subject" text NOT NULL,
	"message_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"error" text NOT NULL,
	"attempts" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retried_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "listening_query" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" "listening_query_kind" DEFAULT 'brand' NOT NULL,
	"expression" text NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"relevance_model" text,
	"relevance_trained_at" timestamp with time zone,
	"relevance_accuracy" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mention" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"network" text NOT NULL,
	"external_id" text NOT NULL,
	"url" text,
	"identity_id" uuid,
	"text" text NOT NULL,
	"language" text NOT NULL,
	"sentiment" text NOT NULL,
	"sentiment_score" double precision NOT NULL,
	"offensive_score" double precision NOT NULL,
	"offensive_type" text,
	"urgency" double precision NOT NULL,
	"has_pii" boolean NOT NULL,
	"aspects" jsonb NOT NULL,
	"keyphrases" text[] NOT NULL,
	"matched_query_ids" uuid[] NOT NULL,
	"relevant" boolean,
	"predicted_relevance" double precision,
	"parent_external_id" text,
	"thread_external_id" text,
	"likes" integer DEFAULT 0 NOT NULL,
	"reposts" integer DEFAULT 0 NOT NULL,
	"replies" integer DEFAULT 0 NOT NULL,
	"author_followers" integer,
	"posted_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector(CASE language WHEN 'de' THEN 'german'::regconfig WHEN 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END, text)) STORED
);
--> statement-breakpoint
CREATE TABLE "mention_rollup_hourly" (
	"organization_id" uuid NOT NULL,
	"query_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"network" text NOT NULL,
	"sentiment" text NOT NULL,
	"mentions" bigint NOT NULL,
	"reach" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "mention_rollup_hourly_organization_id_query_id_hour_network_sentiment_pk" PRIMARY KEY("organization_id","query_id","hour","network","sentiment")
);
--> statement-breakpoint
CREATE TABLE "notification" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"link" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "smtp_settings" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"secure" boolean DEFAULT false NOT NULL,
	"username" text,
	"password_encrypted" text,
	"from_address" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "social_identity" ADD CONSTRAINT "social_identity_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social_identity" ADD CONSTRAINT "social_identity_contact_id_contact_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contact"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert" ADD CONSTRAINT "alert_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert" ADD CONSTRAINT "alert_rule_id_alert_rule_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."alert_rule"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_delivery" ADD CONSTRAINT "alert_delivery_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_delivery" ADD CONSTRAINT "alert_delivery_alert_id_alert_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alert"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD CONSTRAINT "alert_rule_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD CONSTRAINT "alert_rule_query_id_listening_query_id_fk" FOREIGN KEY ("query_id") REFERENCES "public"."listening_query"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aspect_rollup_daily" ADD CONSTRAINT "aspect_rollup_daily_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "author_rollup_daily" ADD CONSTRAINT "author_rollup_daily_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "author_rollup_daily" ADD CONSTRAINT "author_rollup_daily_identity_id_social_identity_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."social_identity"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dead_letter" ADD CONSTRAINT "dead_letter_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "listening_query" ADD CONSTRAINT "listening_query_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mention" ADD CONSTRAINT "mention_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mention" ADD CONSTRAINT "mention_identity_id_social_identity_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."social_identity"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mention_rollup_hourly" ADD CONSTRAINT "mention_rollup_hourly_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification" ADD CONSTRAINT "notification_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "smtp_settings" ADD CONSTRAINT "smtp_settings_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "social_identity_org_network_handle_idx" ON "social_identity" USING btree ("organization_id","network","handle");--> statement-breakpoint
CREATE INDEX "social_identity_contact_idx" ON "social_identity" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "alert_org_rule_dedupe_idx" ON "alert" USING btree ("organization_id","rule_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "alert_org_fired_idx" ON "alert" USING btree ("organization_id","fired_at");--> statement-breakpoint
CREATE INDEX "alert_delivery_alert_idx" ON "alert_delivery" USING btree ("alert_id");--> statement-breakpoint
CREATE INDEX "alert_rule_org_idx" ON "alert_rule" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "dead_letter_org_created_idx" ON "dead_letter" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "listening_query_org_idx" ON "listening_query" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mention_org_network_external_idx" ON "mention" USING btree ("organization_id","network","external_id");--> statement-breakpoint
CREATE INDEX "mention_org_posted_idx" ON "mention" USING btree ("organization_id","posted_at");--> statement-breakpoint
CREATE INDEX "mention_search_idx" ON "mention" USING gin ("search");--> statement-breakpoint
CREATE INDEX "mention_queries_idx" ON "mention" USING gin ("matched_query_ids");--> statement-breakpoint
CREATE INDEX "notification_org_created_idx" ON "notification" USING btree ("organization_id","created_at");