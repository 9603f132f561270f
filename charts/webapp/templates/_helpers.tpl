{{/* Labels Alloy turns into log labels: environment, app, component. */}}
{{- define "webapp.labels" -}}
app.kubernetes.io/name: {{ .Values.app.name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
devstack.dev/environment: {{ .Values.profile }}
devstack.dev/app: {{ .Values.app.name }}
{{- end }}

{{/* A component's pods: call with (dict "root" $ "component" NAME). */}}
{{- define "webapp.selector" -}}
app.kubernetes.io/name: {{ .root.Values.app.name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
devstack.dev/component: {{ .component }}
{{- end }}

{{/* An image reference, by digest when one is known: call with the image values. */}}
{{- define "webapp.image" -}}
{{- if .digest -}}
{{ .repository }}@{{ .digest }}
{{- else -}}
{{ .repository }}:{{ .tag }}
{{- end -}}
{{- end }}

{{/* A probe's action: call with (dict "probe" PROBE "host" HOST); HTTP checks send the host the component is reached at. */}}
{{- define "webapp.probeAction" -}}
{{- if .probe.http -}}
httpGet:
  path: {{ .probe.http.path }}
  port: http
  httpHeaders:
    - name: Host
      value: {{ .host | quote }}
{{- else if .probe.tcp -}}
tcpSocket:
  port: http
{{- else -}}
exec:
  command:
    {{- toYaml .probe.exec.command | nindent 4 }}
{{- end -}}
{{- end }}

{{/* The same environment for the web pods, the cron jobs and the migration. */}}
{{- define "webapp.envFrom" -}}
- configMapRef:
    name: {{ .Values.app.name }}-env
{{- with include "webapp.secretEnvFrom" . | trim }}
{{ . }}
{{- end }}
{{- end }}

{{- define "webapp.secretEnvFrom" -}}
- secretRef:
    name: {{ .Values.app.name }}-app
{{- range .Values.secrets.services }}
- secretRef:
    name: {{ $.Values.app.name }}-{{ .name }}
{{- end }}
{{- end }}

{{/*
One variable by reference, from the Secret that holds it: a service's when
one derives it, else the app's; an alias reads another key of the app's
Secret and may be absent. Call with (dict "root" $ "name" NAME).
*/}}
{{- define "webapp.secretEnv" -}}
{{- $app := .root.Values.app.name }}
{{- $secret := printf "%s-app" $app }}
{{- $key := .name }}
{{- $optional := false }}
{{- range .root.Values.secrets.services }}
{{- if hasKey .env $.name }}{{ $secret = printf "%s-%s" $app .name }}{{ end }}
{{- end }}
{{- range .root.Values.secrets.aliases }}
{{- if eq .name $.name }}{{ $key = .key }}{{ $optional = true }}{{ end }}
{{- end }}
- name: {{ .name | quote }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key | quote }}
      {{- if $optional }}
      optional: true
      {{- end }}
{{- end }}

{{/* The aliases, for pods that get every secret: the cron jobs, the migration, components without a list. */}}
{{- define "webapp.aliasEnv" -}}
{{- range .Values.secrets.aliases }}
{{ include "webapp.secretEnv" (dict "root" $ "name" .name) }}
{{- end }}
{{- end }}

{{- define "webapp.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.pod.runAsUser }}
runAsGroup: {{ .Values.pod.runAsGroup }}
fsGroup: {{ .Values.pod.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "webapp.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end }}

{{/* Requests and limits: call with the resources values. */}}
{{- define "webapp.resources" -}}
requests:
  cpu: {{ .requests.cpu | quote }}
  memory: {{ .requests.memory | quote }}
limits:
  {{- with .limits.cpu }}
  cpu: {{ . | quote }}
  {{- end }}
  memory: {{ .limits.memory | quote }}
{{- end }}

{{/* Pods roll when their plain env or a rotated secret changes. */}}
{{- define "webapp.podAnnotations" -}}
checksum/env: {{ toJson .Values.env | sha256sum }}
devstack.dev/secrets-version: {{ .Values.secrets.version | quote }}
{{- end }}

{{/* A read-only root filesystem still needs a writable /tmp. */}}
{{- define "webapp.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end }}
