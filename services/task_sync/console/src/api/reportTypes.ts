// GET /api/v1/reports (issue 13): one row per group and per manager over a period.
export interface ReportRow {
  scope: "group" | "manager";
  id: string;
  name: string;
  chats: number;
  first_response_median_s: number | null;
  first_response_p90_s: number | null;
  resolution_median_s: number | null;
  resolution_p90_s: number | null;
  sla_met: number;
  sla_breached: number;
  sla_compliance: number | null;
  breaches: number;
  forwarded: number;
}

export interface Report {
  since: string;
  until: string;
  groups: ReportRow[];
  managers: ReportRow[];
}

export interface ReportQuery {
  since?: string;
  until?: string;
  group_id?: string;
}

// GET/PUT /api/v1/me/availability (issue 13)
export type Availability = "online" | "away" | "on_leave";

export interface AgentState {
  user_id: string;
  availability: Availability;
  capacity: number | null;
}
