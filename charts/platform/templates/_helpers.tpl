{{- define "platform.labels" -}}
app.kubernetes.io/name: devstack-platform
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
devstack.dev/environment: {{ .Values.profile }}
{{- end }}
