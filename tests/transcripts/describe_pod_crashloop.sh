# describe of a crash-looping pod: Waiting (CrashLoopBackOff), the Last State of the failed
# run with its exit code, the restart count, and the repeated events counted (x4 over 2m).
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: crash
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo starting; sleep 2; echo failing >&2; exit 3"]
EOF2
sleep 150
kubectl describe pod crash
